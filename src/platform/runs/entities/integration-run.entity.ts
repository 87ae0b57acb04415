import { Column, Entity, Index } from 'typeorm';
import type { FailureCategory } from './integration-failure.entity';
import { CreatedAtColumn, IdColumn, JsonColumn, RowVersionColumn, TenantIdColumn, TenantOwned, TimestampColumn, UpdatedAtColumn } from '../../persistence/columns';

export type RunState = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Retrying' | 'DeadLettered';
/** `sync`: the caller waits for the answer and owns any retry. `async`: executed from the bus; the IntegrationRetryWorker retries it. */
export type RunMode = 'sync' | 'async';
/** Why the run exists: a caller's request, a connection test, a health probe, a rotation's verification, or a page of a sync pass. */
export type RunPurpose = 'call' | 'test' | 'probe' | 'verification' | 'sync';

/** What an async run sends, kept so that a retry sends the same. Credentials are never part of it. */
export interface StoredRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  /** Base64 of the body bytes. */
  body?: string;
}

/** One governed outbound operation against a vendor, with its attempts and outcome. */
@Entity('integration_runs')
@Index(['tenantId', 'connectionId', 'createdAt'])
/** Completed runs stay out of it: see the LeanRunIndexes migration. */
@Index('integration_runs_not_completed', ['tenantId', 'state'], { where: `"state" <> 'Completed'` })
@Index('integration_runs_request', ['tenantId', 'requestId'], { where: '"requestId" IS NOT NULL' })
@Index('integration_runs_idempotency_key', ['tenantId', 'idempotencyKey'], { unique: true, where: '"idempotencyKey" IS NOT NULL' })
export class IntegrationRun implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 64 })
  connectionId: string;

  @Column({ type: 'varchar', length: 64 })
  providerId: string;

  /** What was done, e.g. `POST /repos/{owner}/{repo}/pulls` or an operation name. */
  @Column({ type: 'varchar', length: 256 })
  operation: string;

  @Column({ type: 'varchar', length: 16, default: 'Pending' })
  state: RunState;

  @Column({ type: 'varchar', length: 8, default: 'sync' })
  mode: RunMode;

  @Column({ type: 'varchar', length: 16, default: 'call' })
  purpose: RunPurpose;

  @JsonColumn({ nullable: true })
  request: StoredRequest | null;

  @Column({ type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  failureCategory: FailureCategory | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  failureCode: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'integer', nullable: true })
  latencyMs: number | null;

  /** The vendor's id for what the run produced (a PR number, a message SID, a charge id). */
  @Column({ type: 'varchar', length: 256, nullable: true })
  externalRef: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  idempotencyKey: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  traceId: string | null;

  /** The model gateway request (`mreq-…`) this run is one attempt of: a fallback's runs share it. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  requestId: string | null;

  /** A model call's model (a deployment name where the provider routes by deployment). */
  @Column({ type: 'varchar', length: 128, nullable: true })
  model: string | null;

  @Column({ type: 'integer', nullable: true })
  promptTokens: number | null;

  @Column({ type: 'integer', nullable: true })
  completionTokens: number | null;

  @Column({ type: 'integer', nullable: true })
  totalTokens: number | null;

  /** A streamed call's time from sending the request to its first token. */
  @Column({ type: 'integer', nullable: true })
  firstTokenMs: number | null;

  @TimestampColumn({ nullable: true })
  startedAt: Date | null;

  @TimestampColumn({ nullable: true })
  completedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;

  @RowVersionColumn()
  rowVersion: number;
}
