export { McpPeer } from './mcp-peer';
export type { McpPeerOptions, McpRecordedRequest } from './mcp-peer';
export type { CancelledCall, ToolCall } from './tools';
export { EMBEDDED_RESOURCE_URI, FAILED_ON_PURPOSE, PNG_BASE64, THROWN_MESSAGE } from './tools';
