import { NotFoundException } from '@nestjs/common';
import { RequestContext } from '../../context/request-context';
import { TenantContext } from '../../context/tenant-context';
import { IntegrationError } from '../../resilience/failure-classifier';
import { VendorCatalogue } from '../../vendors/vendor-catalogue';
import type { VendorDescriptor } from '../../vendors/vendor-descriptor';
import type { GovernedCallOptions, GovernedResponse } from '../governed/governed-http-client';
import type { GovernedRequest } from '../governed/governed-request';
import { runOf } from '../governed/governed-http-client';
import { OperationRunner } from './operation-runner';

const OBJECT = { type: 'object', additionalProperties: false } as const;

const DESCRIPTOR: VendorDescriptor = {
  provider: { id: 'acme', displayName: 'Acme', category: 'generic', capabilities: [], authModes: [] },
  operations: [
    {
      name: 'acme.things.get',
      description: 'One thing',
      effect: 'read',
      input: { ...OBJECT, required: ['id'], properties: { id: { type: 'integer' } } },
      output: { ...OBJECT, properties: { name: { type: 'string' } } },
      request: (input: { id: number }) => ({ method: 'GET', path: `/things/${input.id}` }),
      result: (answer) => ({ name: (answer.body as { label: string }).label }),
    },
    {
      name: 'acme.things.copy',
      description: 'Reads one thing and writes another',
      effect: 'write',
      input: { ...OBJECT, properties: {} },
      output: { ...OBJECT, properties: { created: { type: 'boolean' } } },
      run: async (_input, call) => {
        const existing = await call({ method: 'GET', path: '/things/1' }, { accept: [404] });
        await call({ method: 'POST', path: '/things', body: JSON.stringify(existing.body) });
        return { created: true };
      },
    },
  ],
};

const OTHER: VendorDescriptor = {
  provider: { id: 'other', displayName: 'Other', category: 'generic', capabilities: [], authModes: [] },
  operations: [{ name: 'other.ping', description: 'Ping', effect: 'read', input: OBJECT, output: OBJECT, request: () => ({ method: 'GET', path: '/ping' }) }],
};

class FakeGoverned {
  readonly calls: Array<{ request: GovernedRequest; options: GovernedCallOptions }> = [];
  readonly answers: Array<{ status: number; body?: unknown; headers?: Record<string, string> }> = [];
  prepared: GovernedRequest | undefined;

  async request(_connectionId: string, request: GovernedRequest, options: GovernedCallOptions): Promise<GovernedResponse> {
    this.calls.push({ request, options });
    const answer = this.answers.shift() ?? { status: 200, body: {} };
    const body = answer.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(answer.body));
    return { run: { id: `run-${this.calls.length}` } as never, status: answer.status, headers: { 'content-type': 'application/json', ...answer.headers }, body, latencyMs: 1 };
  }

  async prepare(_connectionId: string, request: GovernedRequest, options: GovernedCallOptions) {
    this.prepared = request;
    return {
      id: 'run-async',
      connectionId: 'conn-1',
      providerId: 'acme',
      operation: options.operation,
      state: 'Pending',
      mode: 'async',
      idempotencyKey: options.idempotencyKey ?? null,
      createdAt: new Date(0),
    };
  }
}

describe('OperationRunner', () => {
  let governed: FakeGoverned;
  let sent: Array<{ command: string; body: unknown }>;
  let runner: OperationRunner;
  let connectionProvider: string;

  beforeEach(() => {
    governed = new FakeGoverned();
    sent = [];
    connectionProvider = 'acme';
    const resolver = {
      resolve: async (tenantId: string, connectionId: string) => {
        if (tenantId !== 'tenant-a' || connectionId !== 'conn-1') throw new IntegrationError('Validation', 'connection_not_found', `Connection ${connectionId} not found`);
        return { provider: { id: connectionProvider }, connection: { configuration: {} } };
      },
    };
    const runs = { findByIdempotencyKey: async () => null };
    const publisher = { send: async (command: string, body: unknown) => void sent.push({ command, body }) };
    runner = new OperationRunner(new VendorCatalogue([DESCRIPTOR, OTHER]), resolver as never, governed as never, runs as never, publisher as never, new TenantContext());
  });

  const inTenant = <T>(work: () => Promise<T>, tenantId = 'tenant-a') => RequestContext.run({ tenantId, traceId: 't', scopes: new Set() } as never, work);

  it('lists the operations of the given providers with their schemas', () => {
    expect(runner.list(['acme']).map((operation) => operation.name)).toEqual(['acme.things.get', 'acme.things.copy']);
    expect(runner.list(['acme'])[0]).toMatchObject({
      providerId: 'acme',
      effect: 'read',
      description: 'One thing',
      input: { required: ['id'] },
      output: { properties: { name: { type: 'string' } } },
    });
  });

  it('runs a single-call operation as one governed call named after it, and maps the answer', async () => {
    governed.answers.push({ status: 200, body: { label: 'first' } });
    const outcome = await inTenant(() => runner.run(['acme'], 'conn-1', 'acme.things.get', { input: { id: 7 }, idempotencyKey: 'k1' }));
    expect(outcome).toEqual({ output: { name: 'first' }, runId: 'run-1', runIds: ['run-1'] });
    expect(governed.calls).toEqual([
      { request: { method: 'GET', path: '/things/7' }, options: { operation: 'acme.things.get', metricOperation: 'acme.things.get', idempotencyKey: 'k1' } },
    ]);
  });

  it('runs a multi-call operation, one run per call, each with its own idempotency key', async () => {
    governed.answers.push({ status: 404, body: { message: 'Not Found' } }, { status: 201, body: { id: 2 } });
    const outcome = await inTenant(() => runner.run(['acme'], 'conn-1', 'acme.things.copy', { input: {}, idempotencyKey: 'copy-1' }));
    expect(outcome).toEqual({ output: { created: true }, runId: 'run-2', runIds: ['run-1', 'run-2'] });
    expect(governed.calls.map((call) => call.options.idempotencyKey)).toEqual(['copy-1', 'copy-1#2']);
  });

  it('refuses input that fails the schema before any call, naming the path', async () => {
    await expect(inTenant(() => runner.run(['acme'], 'conn-1', 'acme.things.get', { input: { id: 'seven' } }))).rejects.toMatchObject({
      category: 'Validation',
      message: expect.stringContaining('input/id must be integer'),
    });
    expect(governed.calls).toEqual([]);
  });

  it('answers 404 for an operation not served under the prefix, and for another tenant’s connection', async () => {
    await expect(inTenant(() => runner.run(['acme'], 'conn-1', 'other.ping', { input: {} }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(inTenant(() => runner.run(['acme'], 'conn-1', 'acme.nope', { input: {} }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(inTenant(() => runner.run(['acme'], 'conn-1', 'acme.things.get', { input: { id: 1 } }), 'tenant-b')).rejects.toMatchObject({ code: 'connection_not_found' });
  });

  it('refuses an operation of another provider than the connection’s', async () => {
    connectionProvider = 'other';
    await expect(inTenant(() => runner.run(['acme'], 'conn-1', 'acme.things.get', { input: { id: 1 } }))).rejects.toMatchObject({
      code: 'operation_provider_mismatch',
      message: expect.stringContaining('acme'),
    });
  });

  it.each([
    [404, {}, 'vendor_not_found', 'Validation'],
    [422, {}, 'vendor_unprocessable', 'Validation'],
    [409, {}, 'vendor_conflict', 'Validation'],
    [412, {}, 'vendor_conflict', 'Validation'],
    [400, {}, 'vendor_bad_request', 'Validation'],
    [402, {}, 'vendor_payment_required', 'Validation'],
    [401, {}, 'vendor_auth_refused', 'Auth'],
    [403, {}, 'vendor_auth_refused', 'Auth'],
    [429, { 'retry-after': '7' }, 'vendor_rate_limited', 'RateLimited'],
    [502, {}, 'vendor_failed', 'Transient'],
    [405, {}, 'vendor_refused', 'Poison'],
  ])('turns a vendor %i into %s', async (status, headers, code, category) => {
    governed.answers.push({ status, headers, body: { message: 'Validation Failed', errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }] } });
    const error = await inTenant(() => runner.run(['acme'], 'conn-1', 'acme.things.get', { input: { id: 1 } })).then(
      () => {
        throw new Error('expected a failure');
      },
      (caught: unknown) => caught as IntegrationError,
    );
    expect(error).toMatchObject({ code, category });
    expect(error.message).toContain(`Acme`);
    expect(error.message).toContain(`HTTP ${status}: Validation Failed (title missing_field)`);
    expect(runOf(error)?.id).toBe('run-1');
    if (status === 429) expect(error.retryAfterMs).toBe(7000);
  });

  it('submits a single-call operation to the bus, and refuses async for a multi-call one', async () => {
    const submitted = await inTenant(() => runner.submit(['acme'], 'conn-1', 'acme.things.get', { input: { id: 3 }, idempotencyKey: 'a-1' }));
    expect(submitted).toMatchObject({ runId: 'run-async', run: { state: 'Pending', operation: 'acme.things.get', idempotencyKey: 'a-1' } });
    expect(governed.prepared).toEqual({ method: 'GET', path: '/things/3' });
    expect(sent).toEqual([{ command: 'ExecuteIntegrationRun', body: { runId: 'run-async' } }]);
    await expect(inTenant(() => runner.submit(['acme'], 'conn-1', 'acme.things.copy', { input: {} }))).rejects.toMatchObject({ code: 'operation_not_async' });
  });
});
