import { IsObject } from 'class-validator';

/** POST /mcp/connections/{id}/tools/{name}/invoke. */
export class InvokeToolDto {
  /** The tool's arguments, checked against its input schema before the call. */
  @IsObject({ message: 'arguments must be an object' })
  arguments: Record<string, unknown>;
}
