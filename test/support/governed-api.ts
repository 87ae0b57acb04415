import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { signHs256 } from './tokens';

/** Every scope of the webhook API. */
export const WEBHOOK_SCOPES = [
  'webhooks.subscriptions.write',
  'webhooks.subscriptions.read',
  'webhooks.events.publish',
  'webhooks.deliveries.ingest',
  'webhooks.deliveries.read',
].join(' ');

/** Every scope of the registry API, for tests that drive all of it as one tenant. */
export const REGISTRY_SCOPES = [
  'integration.providers.read',
  'integration.providers.write',
  'integration.connections.read',
  'integration.connections.write',
  'integration.credentials.write',
  'integration.credentials.rotate',
  'integration.runs.read',
  'integration.runs.execute',
].join(' ');

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
  body: any;
  text: string;
}

/**
 * One tenant's view of the platform's HTTP API. Every answer (headers and body) is appended to
 * `transcript`, so a test can later prove that no secret ever came back from the API.
 */
export class TenantApi {
  private constructor(
    readonly baseUrl: string,
    readonly tenantId: string,
    readonly token: string,
    readonly transcript: string[],
  ) {}

  static async create(baseUrl: string, jwtSecret: string, tenantId: string, transcript: string[] = [], scope = REGISTRY_SCOPES): Promise<TenantApi> {
    const token = await signHs256(jwtSecret, { tenantId, scope, expiresIn: 3600 });
    return new TenantApi(baseUrl, tenantId, token, transcript);
  }

  /** The same tenant and token against another instance of the platform. */
  at(baseUrl: string): TenantApi {
    return new TenantApi(baseUrl, this.tenantId, this.token, this.transcript);
  }

  get(path: string): Promise<ApiAnswer> {
    return this.request('GET', path);
  }

  post(path: string, body?: unknown): Promise<ApiAnswer> {
    return this.request('POST', path, body);
  }

  async request(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    this.transcript.push([...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n'), text);
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  // --- Shorthands for the registry's resources -----------------------------------------------------

  async createCredential(name: string, value: string, kind?: string): Promise<string> {
    const answer = await this.post('/integrations/credentials', { name, value, ...(kind ? { kind } : {}) });
    if (answer.status !== 201) throw new Error(`Credential ${name}: HTTP ${answer.status} ${answer.text}`);
    return answer.body.id as string;
  }

  createConnection(body: Record<string, unknown>): Promise<ApiAnswer> {
    return this.post('/integrations/connections', { providerId: 'generic-rest', displayName: 'Vendor peer', ...body });
  }

  /** A governed call through the pipeline (synchronous unless `async: true`). */
  call(connectionId: string, request: Record<string, unknown>): Promise<ApiAnswer> {
    return this.post(`/integrations/connections/${connectionId}/requests`, request);
  }

  /** Polls a run until it reaches one of `states`. */
  async runIn(runId: string, states: readonly string[], timeoutMs = 15_000): Promise<ApiAnswer['body']> {
    let last: ApiAnswer | undefined;
    await waitFor(
      async () => {
        last = await this.get(`/integrations/runs/${runId}`);
        return states.includes(last.body?.state);
      },
      timeoutMs,
      () => `run ${runId} to reach ${states.join(' or ')} (last: ${last?.text})`,
    );
    return last!.body;
  }

  /** Polls an email or SMS message until its status is one of `statuses`; returns the message. */
  async messageIn(channel: 'email' | 'sms', id: string, statuses: readonly string[], timeoutMs = 15_000): Promise<ApiAnswer['body']> {
    let last: ApiAnswer | undefined;
    await waitFor(
      async () => {
        last = await this.get(`/${channel}/messages/${id}`);
        return statuses.includes(last.body?.status);
      },
      timeoutMs,
      () => `message ${id} to reach ${statuses.join(' or ')} (last: ${last?.text})`,
    );
    return last!.body;
  }
}

/** Polls `predicate` until it holds; fails naming what was awaited. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string | (() => string), intervalMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Polls `probe` until `accept` holds and returns that value; a timeout reports the last value seen. */
export async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await probe();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 25));
  } while (Date.now() < deadline);
  throw new Error(`Timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/** Every row of every table of the store (the store bus's tables included), each table as JSON text. */
export async function dumpStore(dataSource: DataSource, schema?: string): Promise<Record<string, string>> {
  const postgres = dataSource.driver.options.type === 'postgres';
  const tables: Array<{ name: string }> = postgres
    ? await dataSource.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`, [schema ?? 'public'])
    : await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table'`);
  const dump: Record<string, string> = {};
  for (const { name } of tables) {
    const rows: unknown[] = await dataSource.query(postgres ? `SELECT * FROM "${schema ?? 'public'}"."${name}"` : `SELECT * FROM "${name}"`);
    dump[name] = JSON.stringify(rows);
  }
  return dump;
}

/** The events waiting on a topic's subscriptions in the store bus, as CloudEvents (one per subscription). */
export async function storedEvents(
  dataSource: DataSource,
  topic: string,
): Promise<Array<{ entity: string; event: { type: string; subject?: string; tenantid?: string; data: Record<string, unknown> } }>> {
  const rows: Array<{ entity: string; body: string }> = await dataSource.query(`SELECT entity, body FROM bus_messages WHERE entity LIKE '${topic}/%' ORDER BY id`);
  return rows.map((row) => ({ entity: row.entity, event: JSON.parse(row.body) }));
}

/** Every file under a directory, as raw bytes (what an attacker with the disk would read). */
export function filesUnder(directory: string): Array<{ path: string; content: Buffer }> {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, content: readFileSync(path) }];
  });
}
