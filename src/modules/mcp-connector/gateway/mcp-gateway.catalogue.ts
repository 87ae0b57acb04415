import { HttpException, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { TenantContext } from '../../../platform/context/tenant-context';
import { quotable } from '../../../platform/http/quotable';
import { IntegrationConnection } from '../../../platform/integrations/entities/integration-connection.entity';
import { OperationRunner } from '../../../platform/integrations/operations/operation-runner';
import { classifyError, IntegrationError } from '../../../platform/resilience/failure-classifier';
import { VendorCatalogue } from '../../../platform/vendors/vendor-catalogue';
import type { JsonSchema, VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import { McpConnectorService } from '../connector/mcp-connector.service';
import type { McpTool, ToolContent, ToolProgress } from '../connector/mcp-tools';
import { connectionSlug, gatewayToolName, mcpToolPart, operationToolPart, roomAfter, splitToolName, UNAVAILABLE_TOOL } from './tool-names';

export const MCP_PROVIDER = 'mcp';

/** A tool as the gateway lists it (the MCP `Tool` shape). */
export interface GatewayTool {
  name: string;
  title?: string;
  description: string;
  inputSchema: { type: 'object'; [key: string]: unknown };
  outputSchema?: { type: 'object'; [key: string]: unknown };
  annotations?: Record<string, unknown>;
  _meta: Record<string, unknown>;
}

/** A tool result as the gateway answers it (the MCP `CallToolResult` shape). */
export interface GatewayResult {
  [key: string]: unknown;
  content: Array<Record<string, unknown> & { type: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

/** What a gateway tool name stands for. */
export type GatewayTarget =
  | { kind: 'mcp'; connection: IntegrationConnection; tool: string }
  | { kind: 'operation'; connection: IntegrationConnection; operation: VendorOperation; providerId: string; wrapped: boolean }
  | { kind: 'unavailable'; connection: IntegrationConnection; failure: unknown };

export interface GatewayCall {
  arguments: Record<string, unknown>;
  signal?: AbortSignal;
  onProgress?: (progress: ToolProgress) => void;
  idempotencyKey?: string;
}

/** Why something failed, as the agent may read it: category and code, and our own message (never a vendor body). */
export interface FailureView {
  category: string;
  code: string;
  message?: string;
  retryAfterMs?: number;
  runId?: string;
}

const MCP_STATUSES: IntegrationConnection['status'][] = ['Active', 'Degraded'];
const OPERATION_STATUSES: IntegrationConnection['status'][] = ['Active'];

/**
 * The MCP gateway's catalogue: what the tenant in scope may call through `/mcp`, built per request from
 * the store. The tools of its MCP connections (Active or Degraded; McpConnectorService caches their
 * lists) and the operations of its Active connections of every other provider that has operations,
 * each named `<connection-slug>__<tool>` (see tool-names.ts). A connection whose tools cannot be listed
 * appears as one `<slug>__unavailable` tool naming the failure, never as a silent gap.
 */
@Injectable()
export class McpGatewayCatalogue {
  private readonly logger = new Logger(McpGatewayCatalogue.name);

  constructor(
    @InjectRepository(IntegrationConnection) private readonly connections: Repository<IntegrationConnection>,
    private readonly catalogue: VendorCatalogue,
    private readonly runner: OperationRunner,
    private readonly tenant: TenantContext,
    @Optional() private readonly mcp?: McpConnectorService,
  ) {}

  async list(): Promise<GatewayTool[]> {
    const connections = await this.eligibleConnections();
    const lists = await Promise.all(connections.map((connection) => this.toolsOf(connection)));
    return lists.flat();
  }

  /** The target of a gateway tool name, or undefined when the tenant has no such tool. */
  async resolve(name: string): Promise<GatewayTarget | undefined> {
    const split = splitToolName(name);
    if (!split) return undefined;
    const connection = (await this.eligibleConnections()).find((candidate) => connectionSlug(candidate.id) === split.slug);
    if (!connection) return undefined;
    const room = roomAfter(split.slug);
    if (connection.providerId === MCP_PROVIDER) {
      let tools: McpTool[];
      try {
        tools = await this.mcpTools(connection.id);
      } catch (failure) {
        // Whatever name was called, the connection's tools cannot be reached: the call answers why.
        return { kind: 'unavailable', connection, failure };
      }
      const tool = uniqueParts(
        tools.map((candidate) => candidate.name),
        room,
      ).find((entry) => entry.part === split.part);
      return tool ? { kind: 'mcp', connection, tool: tool.name } : undefined;
    }
    const entry = this.catalogue.operations([connection.providerId]).find(({ operation }) => mcpToolPart(operationToolPart(operation.name), room) === split.part);
    if (!entry) return undefined;
    return { kind: 'operation', connection, operation: entry.operation, providerId: entry.providerId, wrapped: !isObjectSchema(entry.operation.input) };
  }

  async call(target: GatewayTarget, call: GatewayCall): Promise<GatewayResult> {
    const { connection } = target;
    if (target.kind === 'unavailable') return errorResult(connection, 'its tools cannot be listed', failureView(target.failure));
    try {
      if (target.kind === 'mcp') {
        if (!this.mcp) throw connectorMissing();
        const result = await this.mcp.invokeTool(connection.id, target.tool, { arguments: call.arguments, signal: call.signal, onProgress: call.onProgress });
        return {
          content: result.content.map((block: ToolContent) => ({ ...block })),
          ...(result.structuredContent ? { structuredContent: { ...result.structuredContent } } : {}),
          ...(result.isError ? { isError: true } : {}),
          _meta: { connectionId: connection.id, tool: target.tool, runId: result.runId },
        };
      }
      const input = target.wrapped ? call.arguments.input : call.arguments;
      const outcome = await this.runner.run([target.providerId], connection.id, target.operation.name, { input, idempotencyKey: call.idempotencyKey });
      const output = outcome.output;
      return {
        content: [{ type: 'text', text: JSON.stringify(output ?? null) }],
        structuredContent: isRecord(output) ? output : { result: output ?? null },
        _meta: { connectionId: connection.id, operation: target.operation.name, runId: outcome.runId, runIds: outcome.runIds },
      };
    } catch (failure) {
      const view = failureView(failure);
      if (!(failure instanceof IntegrationError) && !(failure instanceof HttpException))
        this.logger.error({ msg: 'MCP gateway tool call failed unexpectedly', connectionId: connection.id, err: failure });
      const what = target.kind === 'mcp' ? `tool ${quotable(target.tool, 128)}` : `operation ${target.operation.name}`;
      return errorResult(connection, `${what} failed`, view);
    }
  }

  private async eligibleConnections(): Promise<IntegrationConnection[]> {
    const tenantId = this.tenant.tenantId;
    const withOperations = [...new Set(this.catalogue.operations().map((entry) => entry.providerId))].filter((id) => id !== MCP_PROVIDER);
    const [mcp, vendors] = await Promise.all([
      this.connections.find({ where: { tenantId, providerId: MCP_PROVIDER, status: In(MCP_STATUSES) } }),
      withOperations.length === 0 ? Promise.resolve([]) : this.connections.find({ where: { tenantId, providerId: In(withOperations), status: In(OPERATION_STATUSES) } }),
    ]);
    return [...mcp, ...vendors.filter((connection) => connection.providerId !== MCP_PROVIDER)].sort(byCreation);
  }

  private async toolsOf(connection: IntegrationConnection): Promise<GatewayTool[]> {
    const slug = connectionSlug(connection.id);
    const room = roomAfter(slug);
    const label = `[connection ${connection.id} · ${connection.displayName}]`;
    if (connection.providerId !== MCP_PROVIDER) {
      return this.catalogue.operations([connection.providerId]).map(({ operation }) => ({
        name: gatewayToolName(slug, mcpToolPart(operationToolPart(operation.name), room)),
        title: `${operation.name} (${connection.displayName})`,
        description: `${label} ${operation.description}`,
        inputSchema: isObjectSchema(operation.input)
          ? asObjectSchema(operation.input)
          : { type: 'object', properties: { input: operation.input }, required: ['input'], additionalProperties: false },
        annotations: { readOnlyHint: operation.effect === 'read', destructiveHint: operation.effect === 'write', openWorldHint: true },
        _meta: { connectionId: connection.id, providerId: connection.providerId, operation: operation.name },
      }));
    }
    let tools: McpTool[];
    try {
      tools = await this.mcpTools(connection.id);
    } catch (failure) {
      const view = failureView(failure);
      this.logger.warn({ msg: 'MCP gateway: a connection’s tools could not be listed', connectionId: connection.id, category: view.category, code: view.code });
      return [unavailableTool(connection, slug, label, view)];
    }
    const parts = uniqueParts(
      tools.map((tool) => tool.name),
      room,
    );
    return tools.map((tool, index) => ({
      name: gatewayToolName(slug, parts[index].part),
      ...(tool.title ? { title: tool.title } : {}),
      description: `${label} ${tool.description ?? ''}`.trimEnd(),
      inputSchema: asObjectSchema(tool.inputSchema),
      ...(tool.outputSchema ? { outputSchema: asObjectSchema(tool.outputSchema) } : {}),
      ...(tool.annotations ? { annotations: { ...tool.annotations } } : {}),
      _meta: { connectionId: connection.id, providerId: MCP_PROVIDER, tool: tool.name },
    }));
  }

  private async mcpTools(connectionId: string): Promise<McpTool[]> {
    if (!this.mcp) throw connectorMissing();
    return this.mcp.listTools(connectionId);
  }
}

/** Each tool name's part in the gateway alphabet; a part two names share is hashed for both, so no name hides another. */
export function uniqueParts(names: readonly string[], room: number): Array<{ name: string; part: string }> {
  const parts = names.map((name) => mcpToolPart(name, room));
  const counts = new Map<string, number>();
  for (const part of parts) counts.set(part, (counts.get(part) ?? 0) + 1);
  return names.map((name, index) => {
    const part = parts[index];
    // `\u0000` is outside the alphabet, so this forces the hashed form of the original name.
    return { name, part: (counts.get(part) ?? 0) > 1 ? mcpToolPart(`${name}\u0000`, room) : part };
  });
}

function unavailableTool(connection: IntegrationConnection, slug: string, label: string, view: FailureView): GatewayTool {
  return {
    name: gatewayToolName(slug, UNAVAILABLE_TOOL),
    title: `${connection.displayName} is unavailable`,
    description:
      `${label} UNAVAILABLE: the tools of MCP connection ${connection.id} (${connection.displayName}) could not be listed: ` +
      `${view.category} ${view.code}${view.retryAfterMs !== undefined ? ` (retry after ${Math.ceil(view.retryAfterMs / 1000)} s)` : ''}. ` +
      'Its tools are missing from this list until it recovers; calling this tool returns the failure.',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    annotations: { readOnlyHint: true, openWorldHint: false },
    _meta: { connectionId: connection.id, providerId: MCP_PROVIDER, unavailable: { category: view.category, code: view.code } },
  };
}

export function errorResult(connection: IntegrationConnection, what: string, view: FailureView): GatewayResult {
  const detail = view.message ? `: ${view.message}` : '';
  const wait = view.retryAfterMs !== undefined ? ` Retry after ${Math.ceil(view.retryAfterMs / 1000)} s.` : '';
  return {
    content: [{ type: 'text', text: `Connection ${connection.id} (${connection.displayName}): ${what} (${view.category} ${view.code})${detail}.${wait}` }],
    isError: true,
    _meta: {
      connectionId: connection.id,
      error: { category: view.category, code: view.code, ...(view.retryAfterMs !== undefined ? { retryAfterMs: view.retryAfterMs } : {}) },
      ...(view.runId ? { runId: view.runId } : {}),
    },
  };
}

/**
 * An IntegrationError keeps its category, code and message (the platform's own text: the failure
 * classifier and the operation layer never copy a vendor body into it); an HTTP exception its status; anything
 * else is an internal error with no detail.
 */
export function failureView(failure: unknown): FailureView {
  if (failure instanceof IntegrationError) {
    const runId = (failure as IntegrationError & { run?: { id?: string } }).run?.id;
    return {
      category: failure.category,
      code: failure.code,
      message: quotable(failure.message, 500),
      ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
      ...(runId ? { runId } : {}),
    };
  }
  if (failure instanceof HttpException) {
    const status = failure.getStatus();
    return { category: status < 500 ? 'Validation' : 'Transient', code: `http_${status}`, message: quotable(failure.message, 500) };
  }
  // Thrown below the platform's own errors (a socket, a timeout): its class, never its message.
  const { category, code } = classifyError(failure);
  return { category, code };
}

function connectorMissing(): IntegrationError {
  return IntegrationError.transient('mcp_connector_unavailable', 'The MCP connector is not available in this process');
}

function isObjectSchema(schema: JsonSchema): boolean {
  return schema.type === 'object';
}

function asObjectSchema(schema: JsonSchema): { type: 'object'; [key: string]: unknown } {
  return { ...schema, type: 'object' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function byCreation(a: IntegrationConnection, b: IntegrationConnection): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);
}
