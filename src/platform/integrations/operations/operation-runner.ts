import { Injectable, NotFoundException } from '@nestjs/common';
import { TenantContext } from '../../context/tenant-context';
import { quotable } from '../../http/quotable';
import { BusPublisher } from '../../messaging/bus-publisher';
import { COMMANDS } from '../../messaging/contracts';
import { IntegrationError } from '../../resilience/failure-classifier';
import type { IntegrationRun } from '../../runs/entities/integration-run.entity';
import { RunRecorder } from '../../runs/run-recorder';
import { VendorCatalogue } from '../../vendors/vendor-catalogue';
import type { OperationCall, OperationContext, VendorAnswer, VendorOperation } from '../../vendors/vendor-descriptor';
import { ConnectionResolver } from '../connections/connection-resolver';
import { GovernedHttpClient } from '../governed/governed-http-client';
import type { GovernedRequest } from '../governed/governed-request';
import { OperationSchemas } from './operation-schemas';
import { toVendorAnswer, vendorFailure } from './vendor-answers';

export interface OperationInvocation {
  input: unknown;
  idempotencyKey?: string;
}

export interface OperationOutcome {
  output: unknown;
  /** The run of the operation's (last) governed call; null for an operation that needed none. */
  runId: string | null;
  /** Every governed call it made, in order. */
  runIds: string[];
}

export interface SubmittedOperation {
  runId: string;
  run: SubmittedRunView;
}

export interface SubmittedRunView {
  id: string;
  connectionId: string;
  providerId: string;
  operation: string;
  state: IntegrationRun['state'];
  mode: IntegrationRun['mode'];
  idempotencyKey: string | null;
  createdAt: string;
}

export interface OperationListing {
  name: string;
  providerId: string;
  description: string;
  effect: VendorOperation['effect'];
  input: VendorOperation['input'];
  output: VendorOperation['output'];
}

/**
 * Runs a vendor descriptor's named operation on a tenant's connection: the operation must exist under
 * the caller's prefix and belong to the connection's provider, its input must match its schema, and
 * every call it makes goes through the governed pipeline as a run of its own, named after it.
 */
@Injectable()
export class OperationRunner {
  private readonly schemas = new OperationSchemas();

  constructor(
    private readonly catalogue: VendorCatalogue,
    private readonly resolver: ConnectionResolver,
    private readonly governed: GovernedHttpClient,
    private readonly runs: RunRecorder,
    private readonly publisher: BusPublisher,
    private readonly tenant: TenantContext,
  ) {}

  list(providerIds: readonly string[]): OperationListing[] {
    return this.catalogue.operations(providerIds).map(({ providerId, operation }) => ({
      name: operation.name,
      providerId,
      description: operation.description,
      effect: operation.effect,
      input: operation.input,
      output: operation.output,
    }));
  }

  async run(providerIds: readonly string[], connectionId: string, name: string, invocation: OperationInvocation): Promise<OperationOutcome> {
    const { operation, providerId, context } = await this.prepare(providerIds, connectionId, name, invocation.input);
    const runIds: string[] = [];
    const call = this.caller(connectionId, providerId, operation, invocation.idempotencyKey, runIds, invocation.input);
    let output: unknown;
    if (operation.request) {
      const answer = await call(operation.request(invocation.input, context));
      output = operation.result ? operation.result(answer, invocation.input) : answer.body;
    } else {
      output = await operation.run!(invocation.input, call, context);
    }
    return { output, runId: runIds[runIds.length - 1] ?? null, runIds };
  }

  /** The operation's one call stored as a Pending run and executed from the bus (ExecuteIntegrationRun); a used idempotency key answers its run. */
  async submit(providerIds: readonly string[], connectionId: string, name: string, invocation: OperationInvocation): Promise<SubmittedOperation> {
    const { operation, context } = await this.prepare(providerIds, connectionId, name, invocation.input);
    if (!operation.request) throw IntegrationError.validation('operation_not_async', `Operation ${name} makes several calls and cannot run async: call it without async`);
    const tenantId = this.tenant.tenantId;
    const existing = invocation.idempotencyKey ? await this.runs.findByIdempotencyKey(tenantId, invocation.idempotencyKey) : null;
    if (existing) return submitted(existing);
    const run = await this.governed.prepare(connectionId, operation.request(invocation.input, context), { operation: name, idempotencyKey: invocation.idempotencyKey });
    await this.publisher.send(COMMANDS.ExecuteIntegrationRun, { runId: run.id }, { tenantId, messageId: `execute:${run.id}` });
    return submitted(run);
  }

  /** The operation (404 when it is not served here), the tenant's connection (404 when not theirs), the provider match and the input check. */
  private async prepare(
    providerIds: readonly string[],
    connectionId: string,
    name: string,
    input: unknown,
  ): Promise<{ operation: VendorOperation; providerId: string; context: OperationContext }> {
    const entry = this.catalogue.operation(name);
    if (!entry || !providerIds.includes(entry.providerId)) throw new NotFoundException(`Operation ${quotable(name, 120)} not found`);
    const profile = await this.resolver.resolve(this.tenant.tenantId, connectionId);
    if (profile.provider.id !== entry.providerId) {
      throw IntegrationError.validation(
        'operation_provider_mismatch',
        `Operation ${name} is for ${entry.providerId} connections; connection ${connectionId} is a ${profile.provider.id} connection`,
      );
    }
    this.schemas.assertInput(entry.operation, input);
    return { operation: entry.operation, providerId: entry.providerId, context: { connectionId, configuration: profile.connection.configuration } };
  }

  private caller(connectionId: string, providerId: string, operation: VendorOperation, idempotencyKey: string | undefined, runIds: string[], input?: unknown): OperationCall {
    // Only a single-call operation knows what its one call consumed.
    const usage = operation.request && operation.usage ? (body: unknown) => operation.usage!(body, input) : undefined;
    const vendor = { displayName: this.catalogue.descriptor(providerId)?.provider.displayName ?? providerId, http: this.catalogue.http(providerId) };
    return async (request: GovernedRequest, options = {}): Promise<VendorAnswer> => {
      // Each call is a run, and a key names one run: the calls after the first carry the key with their ordinal.
      const key = idempotencyKey === undefined ? undefined : runIds.length === 0 ? idempotencyKey : `${idempotencyKey}#${runIds.length + 1}`;
      const response = await this.governed.request(connectionId, request, {
        operation: operation.name,
        metricOperation: operation.name,
        idempotencyKey: key,
        usageOf: usage ? ({ body }) => usage(parsedOrUndefined(body)) : undefined,
      });
      runIds.push(response.run.id);
      const answer = toVendorAnswer(response);
      // A failure by the vendor's rules (its classify) fails even a 2xx; `accept` names statuses the operation reads itself.
      const accepted = (response.failure === undefined && response.status >= 200 && response.status < 300) || (options.accept ?? []).includes(response.status);
      if (!accepted) throw vendorFailure(response, answer, vendor);
      return answer;
    };
  }
}

function parsedOrUndefined(body: Buffer): unknown {
  try {
    return body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function submitted(run: IntegrationRun): SubmittedOperation {
  return {
    runId: run.id,
    run: {
      id: run.id,
      connectionId: run.connectionId,
      providerId: run.providerId,
      operation: run.operation,
      state: run.state,
      mode: run.mode,
      idempotencyKey: run.idempotencyKey,
      createdAt: run.createdAt.toISOString(),
    },
  };
}
