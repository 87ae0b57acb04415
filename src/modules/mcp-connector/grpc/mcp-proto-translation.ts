import { status } from '@grpc/grpc-js';
import { GrpcError } from '../../../platform/grpc/grpc-error';
import type { McpTool, ToolContent, ToolProgress, ToolResult } from '../connector/mcp-tools';
import type { ContentMessage, InvokeToolEventMessage, InvokeToolResponseMessage, ListToolsResponseMessage, ToolMessage } from './mcp-proto.messages';

/** The McpConnector service's neutral values as integration.mcp.v1 messages, and the request fields it parses. */

/** A required string field; empty is INVALID_ARGUMENT naming it. */
export function requiredField(value: string | undefined, field: string): string {
  if (!value) throw new GrpcError(status.INVALID_ARGUMENT, `${field} is required`);
  return value;
}

/** `arguments_json` as the tool's arguments: a JSON object (empty text is `{}`); anything else is INVALID_ARGUMENT naming the field. */
export function parseArguments(text: string | undefined, field = 'arguments_json'): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new GrpcError(status.INVALID_ARGUMENT, `${field} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GrpcError(status.INVALID_ARGUMENT, `${field} must be a JSON object, not ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`}`);
  }
  return parsed as Record<string, unknown>;
}

export function toToolMessage(tool: McpTool): ToolMessage {
  const message: ToolMessage = { name: tool.name, input_schema_json: JSON.stringify(tool.inputSchema ?? { type: 'object' }) };
  if (tool.title !== undefined) message.title = tool.title;
  if (tool.description !== undefined) message.description = tool.description;
  if (tool.outputSchema !== undefined) message.output_schema_json = JSON.stringify(tool.outputSchema);
  if (tool.annotations !== undefined) message.annotations_json = JSON.stringify(tool.annotations);
  return message;
}

export const toListToolsResponse = (tools: readonly McpTool[]): ListToolsResponseMessage => ({ tools: tools.map(toToolMessage) });

/** One content block: its type and common fields copied out, and the whole block as JSON (resources and unknown kinds lose nothing). */
export function toContentMessage(block: ToolContent): ContentMessage {
  const message: ContentMessage = { type: block.type, json: JSON.stringify(block) };
  if (typeof block.text === 'string') message.text = block.text;
  if (typeof block.data === 'string') message.data = block.data;
  if (typeof block.mimeType === 'string') message.mime_type = block.mimeType;
  return message;
}

export function toInvokeToolResponse(result: ToolResult): InvokeToolResponseMessage {
  const message: InvokeToolResponseMessage = { content: result.content.map(toContentMessage), is_error: result.isError, run_id: result.runId };
  if (result.structuredContent !== undefined) message.structured_content_json = JSON.stringify(result.structuredContent);
  return message;
}

export function toProgressEvent(progress: ToolProgress): InvokeToolEventMessage {
  return {
    progress: {
      progress: progress.progress,
      ...(progress.total === undefined ? {} : { total: progress.total }),
      ...(progress.message === undefined ? {} : { message: progress.message }),
    },
  };
}

export const toResultEvent = (result: ToolResult): InvokeToolEventMessage => ({ result: toInvokeToolResponse(result) });
