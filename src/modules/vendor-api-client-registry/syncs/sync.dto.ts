import { IsBoolean, IsDateString, IsInt, Max, Min } from 'class-validator';
import { OptionalField } from '../../../platform/http/optional-field';
import { PageQuery } from '../../../platform/http/page-cursor';

export const MAX_SYNC_INTERVAL_MS = 7 * 24 * 3_600_000;

/** PUT …/syncs/{name}: the schedule of one sync source on one connection. */
export class ConfigureSyncDto {
  @IsBoolean()
  enabled: boolean;

  /** Default SYNC_INTERVAL. */
  @OptionalField()
  @IsInt()
  @Min(1_000)
  @Max(MAX_SYNC_INTERVAL_MS)
  intervalMs?: number;

  /** An incremental source runs a full pass (which detects deletions) every this many passes; default 10. */
  @OptionalField()
  @IsInt()
  @Min(1)
  @Max(10_000)
  fullPassEvery?: number;
}

/** GET …/syncs/{name}/records: changes oldest first, from `changedSince` (exclusive) on. */
export class ListRecordsQuery extends PageQuery {
  @OptionalField()
  @IsDateString({ strict: true }, { message: 'changedSince must be an ISO 8601 date-time' })
  changedSince?: string;
}

export const DEFAULT_FULL_PASS_EVERY = 10;
export const DEFAULT_RECORDS_LIMIT = 100;
