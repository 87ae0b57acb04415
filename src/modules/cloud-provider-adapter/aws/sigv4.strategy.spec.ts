import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import type { AuthContext, SignableRequest } from '../../../platform/vendors/vendor-descriptor';
import { sha256Hex, signRequest, UNSIGNED_PAYLOAD } from './sigv4';
import { AwsSigV4Strategy, awsCredentialsOf, signingScopeOf } from './sigv4.strategy';

describe('the aws-sigv4 auth strategy', () => {
  const now = new Date('2026-12-02T10:20:30.456Z');
  const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const request: SignableRequest = {
    method: 'PUT',
    url: new URL('https://minio.internal:9000/reports/2026/q4 summary.pdf'),
    headers: { 'user-agent': 'integration-platform', accept: 'application/json', 'content-type': 'application/pdf' },
    body: Buffer.from('%PDF-1.7 a report'),
  };
  const strategy = new AwsSigV4Strategy(() => now);

  function contextWith(secret: string, configuration: Record<string, unknown>, signed: SignableRequest | null = request): AuthContext {
    return { configuration, request: signed ?? undefined, secret: () => Promise.resolve(secret) } as Partial<AuthContext> as AuthContext;
  }

  it('signs the request with the JSON credential, its session token and the configured region, for s3 by default', async () => {
    const credential = JSON.stringify({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey, sessionToken: 'session-token' });
    const headers = await strategy.headers(contextWith(credential, { region: 'eu-west-1' }));

    expect(headers).toEqual(
      signRequest(request, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey, sessionToken: 'session-token' }, { region: 'eu-west-1', service: 's3', now }).headers,
    );
    expect(headers['x-amz-date']).toBe('20261202T102030Z');
    expect(headers['x-amz-content-sha256']).toBe(sha256Hex('%PDF-1.7 a report'));
    expect(headers['x-amz-security-token']).toBe('session-token');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/20261202\/eu-west-1\/s3\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
  });

  it('reads accessKeyId:secretAccessKey, signs for the configured service and hashes an absent body as empty', async () => {
    const get = { method: 'GET', url: new URL('https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15'), headers: {} };
    const headers = await strategy.headers(contextWith(`AKIAIOSFODNN7EXAMPLE:${secretAccessKey}`, { region: 'us-east-1', service: 'sts' }, get));

    expect(headers).toEqual(signRequest(get, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey }, { region: 'us-east-1', service: 'sts', now }).headers);
    expect(headers['x-amz-content-sha256']).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(headers).not.toHaveProperty('x-amz-security-token');
    expect(headers.authorization).toContain('/20261202/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date,');
  });

  it('signs the payload hash a caller set (an unhashed upload) as given', async () => {
    const upload = { ...request, headers: { ...request.headers, 'x-amz-content-sha256': UNSIGNED_PAYLOAD } };
    const headers = await strategy.headers(contextWith(`AKIAIOSFODNN7EXAMPLE:${secretAccessKey}`, { region: 'auto' }, upload));

    expect(headers['x-amz-content-sha256']).toBe(UNSIGNED_PAYLOAD);
    expect(headers.authorization).toBe(
      signRequest(upload, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey }, { region: 'auto', service: 's3', now, payloadHash: UNSIGNED_PAYLOAD }).headers.authorization,
    );
  });

  it.each([
    ['not a credential', 'neither JSON'],
    [':only-a-secret', 'neither JSON'],
    ['AKIAIOSFODNN7EXAMPLE:', 'neither JSON'],
    [`{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","secretAccessKey":"${secretAccessKey}"`, 'does not parse'],
    [`{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","secret":"${secretAccessKey}"}`, 'string accessKeyId and secretAccessKey'],
    [`{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","secretAccessKey":"${secretAccessKey}","sessionToken":42}`, 'sessionToken'],
    [`AKIA IOSFODNN7EXAMPLE:${secretAccessKey}`, 'access key id'],
  ])('refuses the malformed credential %j as an Auth failure that does not quote it', async (credential, reason) => {
    const failure = await strategy.headers(contextWith(credential, { region: 'us-east-1' })).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(IntegrationError);
    expect(failure).toMatchObject({ category: 'Auth', code: 'aws_credential_invalid' });
    const message = (failure as Error).message;
    expect(message).toContain(reason);
    expect(message).not.toContain(secretAccessKey);
    expect(message).not.toContain('only-a-secret');
  });

  it('needs a region, and a service that is a signing name, named as configuration problems and refused at signing', async () => {
    expect(strategy.configurationProblems({})).toEqual([expect.stringContaining('configuration.region is required')]);
    expect(strategy.configurationProblems({ region: 'us east 1', service: 7 })).toEqual([
      expect.stringContaining('configuration.region must be a region name'),
      expect.stringContaining('configuration.service must be an AWS signing name'),
    ]);
    expect(strategy.configurationProblems({ region: 'garage', service: 's3' })).toEqual([]);
    expect(signingScopeOf({ region: 'us-east-1' })).toEqual({ region: 'us-east-1', service: 's3' });

    const failure = await strategy.headers(contextWith(`AKIAIOSFODNN7EXAMPLE:${secretAccessKey}`, {})).catch((error: unknown) => error);
    expect(failure).toMatchObject({ category: 'Validation', code: 'aws_sigv4_configuration_invalid' });
  });

  it('refuses to authenticate without a request to sign', async () => {
    await expect(strategy.headers(contextWith(`AKIAIOSFODNN7EXAMPLE:${secretAccessKey}`, { region: 'us-east-1' }, null))).rejects.toMatchObject({
      category: 'Validation',
      code: 'aws_sigv4_unsigned_request',
    });
  });

  it('keeps an optional session token out of the credentials when absent', () => {
    expect(awsCredentialsOf(` {"accessKeyId":"AKID","secretAccessKey":"s:e:c"} `)).toEqual({ accessKeyId: 'AKID', secretAccessKey: 's:e:c' });
    expect(awsCredentialsOf('AKID:s:e:c')).toEqual({ accessKeyId: 'AKID', secretAccessKey: 's:e:c' });
  });
});
