import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { RecordView, SyncView } from './syncs.service';

/** A sync source of a connection and its state (checked against SyncView by the compiler). */
@ApiSchema({ name: 'Sync' })
export class SyncViewSchema implements SyncView {
  @ApiProperty({ example: 'pulls' })
  name: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ description: 'Passes after the first read changes since the watermark only' })
  incremental: boolean;

  @ApiProperty()
  configured: boolean;

  @ApiProperty({ nullable: true, type: String })
  id: string | null;

  @ApiProperty()
  enabled: boolean;

  @ApiProperty()
  intervalMs: number;

  @ApiProperty({ description: 'Every Nth pass is a full one (deletions are found then)' })
  fullPassEvery: number;

  @ApiProperty({ type: String })
  state: SyncView['state'];

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'The pass in progress: number, kind, cursor, counts' })
  pass: SyncView['pass'];

  @ApiProperty({ nullable: true, type: String })
  watermark: string | null;

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true })
  lastPass: SyncView['lastPass'];

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true })
  lastError: SyncView['lastError'];

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastRunAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastCompletedAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  nextRunAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  runRequestedAt: string | null;
}

/** One external record as last pulled (checked against RecordView by the compiler). */
@ApiSchema({ name: 'SyncRecord' })
export class RecordViewSchema implements RecordView {
  @ApiProperty()
  externalId: string;

  @ApiProperty({ description: 'SHA-256 of the canonical JSON of `data`' })
  contentHash: string;

  @ApiProperty({ type: String, example: 'updated' })
  change: RecordView['change'];

  @ApiProperty({ description: "The vendor's record" })
  data: unknown;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  vendorUpdatedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  firstSeenAt: string;

  @ApiProperty({ format: 'date-time' })
  changedAt: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  deletedAt: string | null;
}
