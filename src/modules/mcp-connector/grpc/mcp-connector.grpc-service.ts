import { GrpcError } from '../../../platform/grpc/grpc-error';
import { GrpcAnswer, GrpcCallScope, GrpcMethods, GrpcStreamWriter, serverStream, unary } from '../../../platform/grpc/grpc-methods';
import { GrpcService, GrpcServiceImplementation } from '../../../platform/grpc/grpc-service.decorator';
import { McpConnectorService } from '../connector/mcp-connector.service';
import type { ToolInvocation, ToolProgress, ToolResult } from '../connector/mcp-tools';
import { toMcpGrpcFailure } from './mcp-call-status';
import {
  InvokeToolEventMessage,
  InvokeToolRequestMessage,
  InvokeToolResponseMessage,
  ListToolsRequestMessage,
  ListToolsResponseMessage,
  MCP_CONNECTOR_PROTO,
  MCP_CONNECTOR_SERVICE,
} from './mcp-proto.messages';
import { parseArguments, requiredField, toInvokeToolResponse, toListToolsResponse, toProgressEvent, toResultEvent } from './mcp-proto-translation';

/** integration.mcp.v1.McpConnector: the proto messages translated to and from the McpConnector service's calls. */
@GrpcService({ service: MCP_CONNECTOR_SERVICE, protoFile: MCP_CONNECTOR_PROTO })
export class McpConnectorGrpcService implements GrpcServiceImplementation {
  constructor(private readonly connector: McpConnectorService) {}

  methods(): GrpcMethods {
    return {
      ListTools: unary('integration.runs.read', (request: ListToolsRequestMessage, call) => this.listTools(request, call)),
      InvokeTool: unary('integration.runs.execute', (request: InvokeToolRequestMessage, call) => this.invokeTool(request, call)),
      InvokeToolStream: serverStream('integration.runs.execute', (request: InvokeToolRequestMessage, writer: GrpcStreamWriter<InvokeToolEventMessage>, call) =>
        this.invokeToolStream(request, writer, call),
      ),
    };
  }

  private async listTools(request: ListToolsRequestMessage, call: GrpcCallScope): Promise<GrpcAnswer<ListToolsResponseMessage>> {
    const connectionId = requiredField(request.connection_id, 'connection_id');
    const tools = await this.connector.listTools(connectionId, { fresh: request.fresh === true }).catch((error: unknown) => Promise.reject(failure(error, connectionId, call)));
    return { response: toListToolsResponse(tools) };
  }

  private async invokeTool(request: InvokeToolRequestMessage, call: GrpcCallScope): Promise<GrpcAnswer<InvokeToolResponseMessage>> {
    const { connectionId, toolName, args } = parseInvocation(request);
    const result = await this.connector.invokeTool(connectionId, toolName, invocation(args, call)).catch((error: unknown) => Promise.reject(failure(error, connectionId, call)));
    return { response: toInvokeToolResponse(result) };
  }

  /** Progress events are written in the order they arrive, each after the previous one drained; the result follows them. */
  private async invokeToolStream(request: InvokeToolRequestMessage, writer: GrpcStreamWriter<InvokeToolEventMessage>, call: GrpcCallScope): Promise<void> {
    const { connectionId, toolName, args } = parseInvocation(request);
    let written: Promise<void> = Promise.resolve();
    let writeFailure: { error: unknown } | undefined;
    const onProgress = (progress: ToolProgress) => {
      written = written.then(() => (writeFailure ? undefined : writer.write(toProgressEvent(progress)))).catch((error: unknown) => void (writeFailure ??= { error }));
    };
    let result: ToolResult;
    try {
      result = await this.connector.invokeTool(connectionId, toolName, { ...invocation(args, call), onProgress });
    } catch (error) {
      await written;
      throw failure(error, connectionId, call);
    }
    await written;
    if (writeFailure) throw writeFailure.error;
    await writer.write(toResultEvent(result));
  }
}

function parseInvocation(request: InvokeToolRequestMessage): { connectionId: string; toolName: string; args: Record<string, unknown> } {
  return {
    connectionId: requiredField(request.connection_id, 'connection_id'),
    toolName: requiredField(request.tool_name, 'tool_name'),
    args: parseArguments(request.arguments_json),
  };
}

function invocation(args: Record<string, unknown>, call: GrpcCallScope): ToolInvocation {
  return call.deadline === undefined ? { arguments: args, signal: call.signal } : { arguments: args, signal: call.signal, deadline: call.deadline };
}

/** A failure because the call went away is the cancellation (or the deadline), whatever the connector made of it. */
function failure(error: unknown, connectionId: string, call: GrpcCallScope): unknown {
  if (call.signal.aborted && call.signal.reason instanceof GrpcError) return call.signal.reason;
  return toMcpGrpcFailure(error, connectionId);
}
