import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import type { McpTool, ToolResult } from '../connector/mcp-tools';

/** A tool an MCP server offers (checked against McpTool by the compiler). */
@ApiSchema({ name: 'McpTool' })
export class McpToolSchema implements McpTool {
  @ApiProperty()
  name: string;

  @ApiPropertyOptional()
  title?: string;

  @ApiPropertyOptional()
  description?: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema of the arguments' })
  inputSchema: McpTool['inputSchema'];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  outputSchema?: McpTool['outputSchema'];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  annotations?: McpTool['annotations'];
}

/** What a tool call answered (checked against ToolResult by the compiler). */
@ApiSchema({ name: 'McpToolResult' })
export class ToolResultSchema implements ToolResult {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Text, image, resource… blocks, as the server sent them' })
  content: ToolResult['content'];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  structuredContent?: ToolResult['structuredContent'];

  @ApiProperty({ description: 'The tool ran and reports a failure of its own' })
  isError: boolean;

  @ApiProperty()
  runId: string;
}
