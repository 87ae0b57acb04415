import { Writable } from 'node:stream';
import { RequestContext } from '../context/request-context';
import { createRootLogger } from './logger';
import { SecretRedactor } from './redaction';
import { continueTrace } from './tracing';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createRootLogger({ level: 'info', role: 'WebhookGatewayService', destination: stream }) };
}

describe('platform logger', () => {
  it('carries role, tenant, trace and ids in scope on every line', () => {
    const { lines, logger } = capture();
    const trace = continueTrace();
    RequestContext.run({ tenantId: 'tenant-a', trace }, () => {
      RequestContext.bindIds({ connectionId: 'conn-1', deliveryId: undefined });
      logger.info('verified');
    });
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'info',
      role: 'WebhookGatewayService',
      tenantId: 'tenant-a',
      traceId: trace.traceId,
      spanId: trace.spanId,
      connectionId: 'conn-1',
      msg: 'verified',
    });
    expect(JSON.parse(lines[0])).not.toHaveProperty('deliveryId');
  });

  it('redacts secret fields by name and secret shapes inside messages and errors', () => {
    const { lines, logger } = capture();
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJ0ZW5hbnRJZCI6InQxIn0.c2lnbmF0dXJlLXZhbHVl';
    logger.info(
      {
        req: { headers: { authorization: `Bearer ${jwt}`, 'x-api-key': 'key-123456789' } },
        credential: { password: 'hunter2-hunter2', name: 'kept' },
        token: 'top-level-token-value',
      },
      `calling postgres://app:Sup3rS3cret@db.internal:5432/x with Bearer ${jwt} and whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw`,
    );
    logger.error({ err: new Error(`vendor said: invalid api_key=sk_live_abcdefghijklmnop`) }, 'call failed');
    const output = lines.join('\n');
    for (const leaked of [jwt, 'key-123456789', 'hunter2-hunter2', 'top-level-token-value', 'Sup3rS3cret', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'abcdefghijklmnop']) {
      expect(output).not.toContain(leaked);
    }
    expect(output).toContain('"name":"kept"');
    expect(output).toContain('postgres://app:[REDACTED]@db.internal:5432/x');
  });

  it('redacts registered secret values wherever they appear', () => {
    const { lines, logger } = capture();
    SecretRedactor.register('plain-registered-value-42');
    logger.warn('the vault answered plain-registered-value-42 unexpectedly');
    expect(lines[0]).not.toContain('plain-registered-value-42');
    expect(lines[0]).toContain('[REDACTED]');
  });
});
