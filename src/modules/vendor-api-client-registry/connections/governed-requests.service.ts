import { Injectable } from '@nestjs/common';
import { TenantContext } from '../../../platform/context/tenant-context';
import { GovernedHttpClient } from '../../../platform/integrations/governed/governed-http-client';
import { GovernedRequest } from '../../../platform/integrations/governed/governed-request';
import { BusPublisher } from '../../../platform/messaging/bus-publisher';
import { RunsService, RunView } from '../runs/runs.service';
import { GovernedRequestDto } from './connection.dto';
import { COMMANDS } from '../../../platform/messaging/contracts';

export interface GovernedAnswer {
  runId: string;
  status: number;
  headers: Record<string, string | string[]>;
  /** The vendor's body: parsed JSON when it is JSON, else text (`bodyEncoding: 'base64'` for binary). */
  body: unknown;
  bodyEncoding: 'json' | 'text' | 'base64' | 'none';
  latencyMs: number;
  run: RunView;
}

/** Headers of the vendor's answer that describe the hop, not the resource: not passed back. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'set-cookie', 'www-authenticate', 'proxy-authenticate']);

/** The governed call API: an authorised caller's request through the pipeline, answered now or run on the bus. */
@Injectable()
export class GovernedRequestsService {
  constructor(
    private readonly governed: GovernedHttpClient,
    private readonly publisher: BusPublisher,
    private readonly runs: RunsService,
    private readonly tenant: TenantContext,
  ) {}

  async call(connectionId: string, dto: GovernedRequestDto): Promise<GovernedAnswer> {
    // A used key answers 409 naming its run (the vendor's answer is not kept, so it cannot be replayed).
    const response = await this.governed.request(connectionId, toRequest(dto), { idempotencyKey: dto.idempotencyKey });
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(response.headers)) if (!HOP_HEADERS.has(name.toLowerCase())) headers[name] = value;
    return {
      runId: response.run.id,
      status: response.status,
      headers,
      ...decodeBody(response.body, headers),
      latencyMs: Math.round(response.latencyMs),
      run: await this.runs.view(response.run),
    };
  }

  /** ExecuteIntegrationRun: the run is stored Pending and executed by the registry's command handler. An idempotency key answers the same run again. */
  async submit(connectionId: string, dto: GovernedRequestDto): Promise<RunView> {
    if (dto.idempotencyKey) {
      const existing = await this.runs.findByIdempotencyKey(dto.idempotencyKey);
      if (existing) return existing;
    }
    const run = await this.governed.prepare(connectionId, toRequest(dto), { idempotencyKey: dto.idempotencyKey });
    await this.publisher.send(COMMANDS.ExecuteIntegrationRun, { runId: run.id }, { tenantId: this.tenant.tenantId, messageId: `execute:${run.id}` });
    return this.runs.view(run);
  }
}

function toRequest(dto: GovernedRequestDto): GovernedRequest {
  const body = dto.body === undefined ? undefined : typeof dto.body === 'string' ? dto.body : JSON.stringify(dto.body);
  const headers = { ...(dto.headers ?? {}) };
  if (body !== undefined && typeof dto.body !== 'string' && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
    headers['content-type'] = 'application/json';
  return { method: dto.method, path: dto.path, query: dto.query, headers, body };
}

function decodeBody(body: Buffer, headers: Record<string, string | string[]>): Pick<GovernedAnswer, 'body' | 'bodyEncoding'> {
  if (body.length === 0) return { body: null, bodyEncoding: 'none' };
  const contentType = String(headers['content-type'] ?? '').toLowerCase();
  if (contentType.includes('json')) {
    try {
      return { body: JSON.parse(body.toString('utf8')), bodyEncoding: 'json' };
    } catch {
      // a vendor that labels non-JSON as JSON: fall back to text
    }
  }
  if (contentType.startsWith('text/') || contentType.includes('json') || contentType.includes('xml') || contentType.includes('x-www-form-urlencoded')) {
    return { body: body.toString('utf8'), bodyEncoding: 'text' };
  }
  return { body: body.toString('base64'), bodyEncoding: 'base64' };
}
