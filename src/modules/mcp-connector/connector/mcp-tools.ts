import type { JsonSchema } from '../../../platform/vendors/vendor-descriptor';

/**
 * What the McpConnector service hands its callers (the REST API, the gRPC service, the MCP gateway): a
 * connection's tools as its MCP server describes them, and one invocation's result. Failures are
 * IntegrationErrors: Validation (`tool_not_allowed`, `tool_not_found`, `invalid_arguments` naming the
 * path, `result_too_large`), Auth (`upstream_auth_failed`: the server refused the connection's
 * credential), Transient (unreachable, timeout, open circuit), RateLimited.
 */

export interface McpTool {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly inputSchema: JsonSchema;
  readonly outputSchema?: JsonSchema;
  readonly annotations?: Readonly<Record<string, unknown>>;
}

export interface ToolProgress {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

export interface ToolInvocation {
  readonly arguments: Readonly<Record<string, unknown>>;
  /** The caller went away (an HTTP client, a gRPC cancellation): the tool call is cancelled upstream. */
  readonly signal?: AbortSignal;
  /** Epoch ms by which the call must be done (a gRPC deadline). */
  readonly deadline?: number;
  /** Progress notifications of a long tool, as the server sends them. */
  readonly onProgress?: (progress: ToolProgress) => void;
}

/** MCP content blocks as the server sent them: text, image, audio, resource links and embedded resources. */
export type ToolContent = Readonly<Record<string, unknown>> & { readonly type: string };

export interface ToolResult {
  readonly content: readonly ToolContent[];
  readonly structuredContent?: Readonly<Record<string, unknown>>;
  /** The tool ran and reports a failure of its own (kept as the server said it). */
  readonly isError: boolean;
  /** The IntegrationRun of the tools/call exchange. */
  readonly runId: string;
}
