import type { Socket } from 'node:net';
import type { EgressRequest, EgressResponse } from '../egress/egress-client';
import type { GovernedRequest } from '../integrations/governed/governed-request';
import type { ModelProtocol } from '../models/model-protocol';
import type { FailureClassification } from '../resilience/failure-classifier';
import type { VerifiedWebhook, WebhookVerifier } from '../webhooks/verification/webhook-verifier';
import type { HeaderSource } from '../resilience/retry-policy';

/**
 * The vendor layer's contract. A vendor descriptor is pure data and functions (no Nest, no I/O of its
 * own): what the kernel needs to know to call a vendor's API, verify and normalise its webhooks,
 * authenticate, run its named operations and page its resources. I/O is done by the kernel, through the
 * functions it hands to the descriptor (`AuthContext`, `OperationCall`), always on the governed path.
 */

/** A JSON Schema (draft 2020-12), as plain data: validated by the kernel, published as operation and tool schemas. */
export type JsonSchema = Readonly<Record<string, unknown>>;

export const PROVIDER_CATEGORIES = ['source-control', 'model', 'cloud', 'communication', 'payment', 'crm', 'support', 'generic'] as const;
export type ProviderCategory = (typeof PROVIDER_CATEGORIES)[number];

/** The built-in provider row a descriptor declares; the catalogue keeps the stored rows in step at boot. */
export interface ProviderDefinition {
  readonly id: string;
  readonly displayName: string;
  readonly category: ProviderCategory;
  readonly capabilities: readonly string[];
  /** The auth modes its API accepts, the default first. Empty: the provider has no outbound API (webhooks only). */
  readonly authModes: readonly string[];
  readonly defaultBaseUrl?: string;
  readonly docsUrl?: string;
}

/** A vendor answer as operations and sync sources see it: the body parsed when JSON, else text; null when empty. */
export interface VendorAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: unknown;
  /** The IntegrationRun of the call that produced it. */
  readonly runId: string;
}

/** What an exchange in a protocol other than HTTP (SMTP) gets: the credential, and sockets opened through the egress policy. */
export interface ProtocolSession {
  /** The credential's value; undefined when the connection's auth mode needs none. */
  secret(): Promise<string | undefined>;
  /** A TCP socket to the destination, once every address it resolves to passed the egress policy. */
  socket(destination: { host: string; port: number; timeoutMs?: number }): Promise<Socket>;
}

export interface ExchangeTestContext {
  /** A WHATWG fetch whose every exchange is a governed `test` call on the connection. */
  readonly fetch: (url: string | URL, init?: RequestInit) => Promise<Response>;
  /** The connection's base URL, which `fetch`'s URLs must be under. */
  readonly endpoint: URL;
  /** A governed `test` exchange in another protocol (SMTP's EHLO and AUTH), recorded as one test run. */
  session<T>(operation: string, work: (session: ProtocolSession) => Promise<T>): Promise<T>;
  readonly configuration: Readonly<Record<string, unknown>>;
  readonly timeoutMs: number;
}

/** The vendor's side of the governed HTTP pipeline. */
export interface VendorHttpProfile {
  /** The cheap, side-effect-free GET used as a connection's test and health probe (path, optionally with a query). */
  readonly healthPath?: string;
  /**
   * The base URL of a connection whose configuration names its endpoint another way (an MCP server's
   * `url`): used when the configuration sets no `baseUrl`. Governed paths are relative to it.
   */
  baseUrlFrom?(configuration: Readonly<Record<string, unknown>>): string | undefined;
  /**
   * A connection test (and health probe) that is an exchange rather than a GET of `healthPath`: an SDK
   * session opened and used through the kernel's governed `fetch`. Throws (an IntegrationError) when the
   * connection does not work.
   */
  connectionTest?(context: ExchangeTestContext): Promise<void>;
  /** The header the `api-key` strategy sets, when not `X-API-Key`. */
  readonly apiKeyHeader?: string;
  /** Headers every call to this vendor carries (API version, media type); a caller's header of the same name wins. */
  defaultHeaders?(configuration: Readonly<Record<string, unknown>>): Record<string, string>;
  /** Query parameters every call carries (an `api-version` parameter); a caller's parameter of the same name wins. */
  defaultQuery?(configuration: Readonly<Record<string, unknown>>): Record<string, string>;
  /**
   * The vendor's reading of an answer, where its own rules differ from HTTP's: a failure it classifies
   * (a secondary rate limit answered as 403, a sign-in page answered as 203), consulted for every
   * answer, 2xx included. Undefined: HTTP's reading (2xx succeeds, the rest is classified by status).
   */
  classify?(answer: { status: number; headers: Readonly<Record<string, string | string[]>>; body: Buffer }): FailureClassification | undefined;
  /**
   * How long a successful answer says the connection must now wait, by the vendor's own quota headers
   * (its remaining count reached 0): the connection's budget is held that long, on every replica, before
   * the next call meets a 429. Undefined: the standard `RateLimit-*` / `X-RateLimit-*` headers only.
   */
  quotaWait?(answer: { status: number; headers: HeaderSource }, now: number): number | undefined;
  /**
   * The header on which the vendor takes an idempotency key (it answers a repeated key with the first
   * result): every call of a run that has a key carries it there, retries of the run included.
   */
  readonly idempotencyHeader?: string;
  /**
   * The vendor's own one-line account of a failed answer, when its generic `message` would say too much or
   * too little (a permission to name, a key fragment to leave out). Undefined: the body's `message` quoted.
   */
  failureMessage?(answer: { status: number; body: unknown }): string | undefined;
  /** The vendor's own `configuration` fields (organisation, installation id…), checked at connection creation: problems in words. */
  configurationProblems?(configuration: Readonly<Record<string, unknown>>, authMode: string): string[];
}

/** The CloudEvent a verified webhook becomes. */
export interface NormalisedEvent {
  /** Namespaced by vendor: `com.<vendor>.pull_request.opened`. */
  readonly type: string;
  /** The resource it is about: `octo/hello/pulls/7`, `work-items/42`. */
  readonly subject?: string;
}

export interface InboundWebhooks {
  readonly verifier: WebhookVerifier;
  /** The event type and subject; the vendor payload stays the event's `data`. Undefined: the verifier's event type as it is. */
  normalise?(verified: VerifiedWebhook): NormalisedEvent;
}

/** A token the kernel caches for every replica (in the secret store) until `expiresAt`, minted by one replica at a time. */
export interface MintedToken {
  readonly value: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/** The request being authenticated, for schemes that sign it (an HMAC over method, path, host and body hash). */
export interface SignableRequest {
  readonly method: string;
  readonly url: URL;
  /** The headers already set (lower-case names), besides the ones the strategy adds. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Buffer | Uint8Array;
}

/** What an auth strategy may use. Every function here goes through the platform's governed egress and secret store. */
export interface AuthContext {
  readonly tenantId: string;
  readonly connectionId: string;
  readonly providerId: string;
  readonly configuration: Readonly<Record<string, unknown>>;
  readonly baseUrl: URL | undefined;
  readonly apiKeyHeader: string;
  /** The id of the connection's credential (null when it has none). */
  readonly credentialId: string | null;
  /** The credential's value: the current version, or the candidate a rotation verifies. */
  secret(): Promise<string>;
  /**
   * A token shared by every replica, stored as a secret until it expires (less the refresh leeway), minted
   * under a distributed lock so concurrent callers on any replica mint it once. `key` names what the token
   * is for (an installation, a token URL and scopes); the credential and its version are added by the kernel.
   */
  sharedToken(key: string, mint: () => Promise<MintedToken>): Promise<string>;
  /** Drops a shared token the vendor rejected before its stated expiry (only that one: a renewal stored meanwhile stays). */
  forgetSharedToken(key: string, rejected: string): Promise<void>;
  /** Stores a new version of the connection's credential (a vendor that rotates a refresh token on use). */
  replaceSecret(value: string): Promise<void>;
  /** One HTTP exchange through the egress policy (allow-list, SSRF guard, timeouts): token endpoints, not recorded as a run. */
  exchange(request: EgressRequest): Promise<EgressResponse>;
  /** A URL under the connection's base URL (the same rules as governed calls). */
  vendorUrl(path: string): URL;
  /** An Entra ID access token from the process's shared Azure credential (workload identity in production). */
  azureToken(scope: string): Promise<string>;
  /** The request the headers are for: set on every governed call; absent where no single request is meant (a token check). */
  readonly request?: SignableRequest;
}

/**
 * How a connection's calls are authenticated. Built-in: none, bearer, api-key, basic, OAuth2 client
 * credentials and refresh token; a descriptor adds its own (app installation tokens).
 */
export interface AuthStrategy {
  readonly mode: string;
  readonly description: string;
  /** False only for `none`: the API takes unauthenticated calls. */
  readonly needsCredential: boolean;
  /** The credential kinds it accepts (undefined: any kind). */
  readonly credentialKinds?: readonly string[];
  /** Problems with a connection's `configuration` for this mode, in words a caller can act on. */
  configurationProblems?(configuration: Readonly<Record<string, unknown>>): string[];
  /** The headers that authenticate one call. */
  headers(context: AuthContext): Promise<Record<string, string>>;
  /**
   * The vendor answered 401 to a call that carried `sent`: drop whatever cached token it carried and
   * answer true to have the call re-sent once with fresh headers (false: the 401 stands).
   */
  rejected?(context: AuthContext, sent: Readonly<Record<string, string>>): Promise<boolean>;
}

/** What an operation or sync source knows about the connection it runs on. */
export interface OperationContext {
  readonly connectionId: string;
  readonly configuration: Readonly<Record<string, unknown>>;
}

/** A governed call made by an operation. A non-2xx answer throws (an IntegrationError naming the vendor's status) unless `accept` lists it. */
export type OperationCall = (request: GovernedRequest, options?: { accept?: readonly number[] }) => Promise<VendorAnswer>;

/**
 * A named vendor action (`<vendor>.pulls.create`). Its input is validated against `input` before any
 * call; each governed call it makes is an IntegrationRun. Either `request` (+ optional `result`) for a
 * single call, or `run` for several.
 */
export interface VendorOperation<Input = unknown, Output = unknown> {
  readonly name: string;
  readonly description: string;
  readonly input: JsonSchema;
  readonly output: JsonSchema;
  /** `write` changes vendor state: its idempotency key is kept on the run and reused by retries. */
  readonly effect: 'read' | 'write';
  request?(input: Input, context: OperationContext): GovernedRequest;
  /** What the single call consumed by the vendor's count (a model call's tokens), recorded on its run; `body` is the parsed 2xx answer. */
  usage?(body: unknown, input: Input): { promptTokens: number; completionTokens: number; totalTokens: number } | undefined;
  /** The output from the single call's answer; default: the answer's body. */
  result?(answer: VendorAnswer, input: Input): Output;
  run?(input: Input, call: OperationCall, context: OperationContext): Promise<Output>;
}

/** Where one page of a sync pass starts. */
export interface SyncPosition {
  /** Null for a pass's first page, else the previous page's `next`. */
  readonly page: string | null;
  /** An incremental pass: only what changed since this watermark (ISO); null for a full pass. */
  readonly since: string | null;
}

export interface SyncRecordInput {
  /** The vendor's id, unique within the source. */
  readonly id: string;
  readonly data: unknown;
  /** When the vendor last changed it (ISO): the next incremental pass starts from the newest one seen. */
  readonly updatedAt?: string;
  /** The vendor says it is gone. */
  readonly deleted?: boolean;
}

export interface SyncPage {
  readonly records: readonly SyncRecordInput[];
  /** Where the next page starts (an opaque token or a path), null when the pass is complete. */
  readonly next: string | null;
}

/**
 * A resource an IntegrationSyncWorker pages through. The kernel keeps the cursor, checkpoints after every
 * page, stores records with a content hash, sends ETags back (a 304 page costs no budget) and detects
 * deletions on a completed full pass.
 */
export interface SyncSource {
  readonly name: string;
  readonly description: string;
  /** Whether `since` narrows a pass; a source that cannot always does full passes. */
  readonly incremental: boolean;
  /** The request of one page. */
  request(position: SyncPosition, context: OperationContext): GovernedRequest;
  /** The page's records and where the next page starts (a source paging several collections needs the configuration to know the last). */
  read(answer: VendorAnswer, position: SyncPosition, context: OperationContext): SyncPage;
}

export interface VendorDescriptor {
  readonly provider: ProviderDefinition;
  readonly http?: VendorHttpProfile;
  readonly webhooks?: InboundWebhooks;
  readonly authStrategies?: readonly AuthStrategy[];
  readonly operations?: readonly VendorOperation[];
  readonly syncSources?: readonly SyncSource[];
  /** A model provider's translation for the model gateway (chat, streaming, embeddings, model list). */
  readonly models?: ModelProtocol;
}
