/**
 * The integration.mcp.v1 messages as the platform's proto loader hands them over (keepCase, defaults
 * filled in, oneofs named): unset `optional` scalars are absent, repeated fields are arrays. Answers
 * are written in the same shapes.
 */

export const MCP_CONNECTOR_SERVICE = 'integration.mcp.v1.McpConnector';
export const MCP_CONNECTOR_PROTO = 'integration/mcp/v1/mcp_connector.proto';

export interface ListToolsRequestMessage {
  connection_id: string;
  fresh: boolean;
}

export interface ToolMessage {
  name: string;
  title?: string;
  description?: string;
  input_schema_json: string;
  output_schema_json?: string;
  annotations_json?: string;
}

export interface ListToolsResponseMessage {
  tools: ToolMessage[];
}

export interface InvokeToolRequestMessage {
  connection_id: string;
  tool_name: string;
  arguments_json: string;
}

export interface ContentMessage {
  type: string;
  text?: string;
  data?: string;
  mime_type?: string;
  json: string;
}

export interface InvokeToolResponseMessage {
  content: ContentMessage[];
  structured_content_json?: string;
  is_error: boolean;
  run_id: string;
}

export interface ProgressMessage {
  progress: number;
  total?: number;
  message?: string;
}

export type InvokeToolEventMessage = { progress: ProgressMessage } | { result: InvokeToolResponseMessage };
