import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import type { RunView } from './runs.service';

const RUN_STATES = ['Pending', 'Running', 'Completed', 'Failed', 'Retrying', 'DeadLettered'];

/** The response shape of a run (checked against RunView by the compiler). */
@ApiSchema({ name: 'Run' })
export class RunViewSchema implements RunView {
  @ApiProperty({ example: 'run-0123456789abcdef0123456789abcdef' })
  id: string;

  @ApiProperty()
  connectionId: string;

  @ApiProperty()
  providerId: string;

  @ApiProperty({ description: 'The operation or request the run made', example: 'github.pulls.create' })
  operation: string;

  @ApiProperty({ enum: RUN_STATES })
  state: RunView['state'];

  @ApiProperty({ example: 'sync' })
  mode: string;

  @ApiProperty()
  purpose: string;

  @ApiProperty()
  attempts: number;

  @ApiProperty({ nullable: true, type: Number })
  latencyMs: number | null;

  @ApiProperty({ nullable: true, type: Number, description: "The vendor's HTTP status" })
  responseStatus: number | null;

  @ApiProperty({ nullable: true, type: String })
  externalRef: string | null;

  @ApiProperty({ nullable: true, type: String })
  idempotencyKey: string | null;

  @ApiProperty({ nullable: true, type: 'object', description: '`{category, code}`; category is Transient, RateLimited, Auth, Validation or Poison', additionalProperties: true })
  failure: RunView['failure'];

  @ApiProperty({ nullable: true, type: String })
  traceId: string | null;

  @ApiPropertyOptional({ type: 'object', description: 'A model call: request id, model, token counts, time to first token', additionalProperties: true })
  model?: RunView['model'];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  startedAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  completedAt: string | null;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'One run: its attempts (time, latency, status, failure)' })
  attemptHistory?: RunView['attemptHistory'];

  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'One run: its failures' })
  failures?: RunView['failures'];
}
