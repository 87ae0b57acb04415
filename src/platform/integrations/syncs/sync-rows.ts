import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { newId } from '../../persistence/ids';
import { EMPTY_COUNTS, IntegrationSync } from './integration-sync.entity';
import { SqlStatement, SyncSql } from './sync-sql';

const JSON_COLUMNS = new Set(['passCounts', 'lastPass', 'lastError']);
const TIME_COLUMNS = new Set(['lastRunAt', 'lastCompletedAt', 'nextRunAt', 'runRequestedAt', 'createdAt', 'updatedAt']);
const BOOLEAN_COLUMNS = new Set(['enabled']);
const COLUMNS = [
  'id',
  'tenantId',
  'connectionId',
  'name',
  'enabled',
  'intervalMs',
  'fullPassEvery',
  'state',
  'passNumber',
  'passId',
  'passKind',
  'passSince',
  'pageCursor',
  'passWatermark',
  'passCounts',
  'watermark',
  'lastPass',
  'lastError',
  'leaseOwner',
  'lastRunAt',
  'lastCompletedAt',
  'nextRunAt',
  'runRequestedAt',
  'createdAt',
  'updatedAt',
] as const;

export interface SyncSettings {
  enabled: boolean;
  intervalMs: number;
  fullPassEvery: number;
}

/**
 * `integration_syncs` rows: read, created, and changed by conditional updates (a run changes its sync
 * only while it holds the lease: `leaseOwner`), in plain SQL so a checkpoint can join one transaction.
 */
@Injectable()
export class SyncRows {
  readonly sql: SyncSql;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.sql = new SyncSql(dataSource);
  }

  async find(tenantId: string, syncId: string): Promise<IntegrationSync | undefined> {
    const [row] = await this.sql.all<Record<string, unknown>>({ sql: `SELECT * FROM integration_syncs WHERE "tenantId" = ? AND "id" = ?`, parameters: [tenantId, syncId] });
    return row ? this.toSync(row) : undefined;
  }

  async findByName(tenantId: string, connectionId: string, name: string): Promise<IntegrationSync | undefined> {
    const [row] = await this.sql.all<Record<string, unknown>>({
      sql: `SELECT * FROM integration_syncs WHERE "tenantId" = ? AND "connectionId" = ? AND "name" = ?`,
      parameters: [tenantId, connectionId, name],
    });
    return row ? this.toSync(row) : undefined;
  }

  async ofConnection(tenantId: string, connectionId: string): Promise<IntegrationSync[]> {
    const rows = await this.sql.all<Record<string, unknown>>({
      sql: `SELECT * FROM integration_syncs WHERE "tenantId" = ? AND "connectionId" = ?`,
      parameters: [tenantId, connectionId],
    });
    return rows.map((row) => this.toSync(row));
  }

  /** Syncs to run now: past their nextRunAt, and enabled or asked for on demand; the longest waiting first. */
  async due(now: Date, limit: number): Promise<IntegrationSync[]> {
    const rows = await this.sql.all<Record<string, unknown>>({
      sql: `SELECT * FROM integration_syncs WHERE "nextRunAt" <= ? AND ("enabled" = ? OR "runRequestedAt" IS NOT NULL) ORDER BY "nextRunAt" LIMIT ${Math.floor(limit)}`,
      parameters: [this.sql.time(now), this.sql.bool(true)],
    });
    return rows.map((row) => this.toSync(row));
  }

  /** Creates or reconfigures the sync; a newly enabled one is due at once. */
  async configure(tenantId: string, connectionId: string, name: string, settings: SyncSettings, now = new Date()): Promise<IntegrationSync> {
    const existing = await this.findByName(tenantId, connectionId, name);
    if (!existing) {
      const sync: IntegrationSync = {
        id: newId('sync'),
        tenantId,
        connectionId,
        name,
        ...settings,
        state: 'Idle',
        passNumber: 0,
        passId: null,
        passKind: null,
        passSince: null,
        pageCursor: null,
        passWatermark: null,
        passCounts: { ...EMPTY_COUNTS },
        watermark: null,
        lastPass: null,
        lastError: null,
        leaseOwner: null,
        lastRunAt: null,
        lastCompletedAt: null,
        nextRunAt: settings.enabled ? now : null,
        runRequestedAt: null,
        createdAt: now,
        updatedAt: now,
      };
      await this.sql.transaction((session) => session.run(this.insert(sync)));
      return sync;
    }
    // Disabling keeps a run asked for on demand; enabling makes the sync due at once (or as soon as its interval allows).
    const nextRunAt = !settings.enabled
      ? existing.runRequestedAt
        ? existing.nextRunAt
        : null
      : existing.enabled && existing.nextRunAt
        ? new Date(Math.min(existing.nextRunAt.getTime(), (existing.lastCompletedAt?.getTime() ?? now.getTime()) + settings.intervalMs))
        : now;
    const set = { ...settings, nextRunAt };
    await this.update(existing, set, now);
    return Object.assign(existing, set, { updatedAt: now });
  }

  /** An unconditional change of configuration or request fields (never the pass: that belongs to the lease holder). */
  async update(sync: IntegrationSync, set: Partial<IntegrationSync>, now = new Date()): Promise<void> {
    const { sql, parameters } = this.setClause(set, now);
    await this.sql.transaction((session) =>
      session.run({ sql: `UPDATE integration_syncs SET ${sql} WHERE "tenantId" = ? AND "id" = ?`, parameters: [...parameters, sync.tenantId, sync.id] }),
    );
  }

  /**
   * Takes the sync for a run: the lease passes to `owner` (the caller holds the distributed lock, so any
   * previous holder's lease has lapsed with its lock). Answers the fresh row.
   */
  async takeLease(tenantId: string, syncId: string, owner: string, set: Partial<IntegrationSync>, now = new Date()): Promise<IntegrationSync | undefined> {
    const { sql, parameters } = this.setClause({ ...set, leaseOwner: owner }, now);
    await this.sql.transaction((session) =>
      session.run({ sql: `UPDATE integration_syncs SET ${sql} WHERE "tenantId" = ? AND "id" = ?`, parameters: [...parameters, tenantId, syncId] }),
    );
    const sync = await this.find(tenantId, syncId);
    return sync?.leaseOwner === owner ? sync : undefined;
  }

  /** A change by the lease holder: affects one row, or none when the lease was taken over. */
  leasedUpdate(sync: IntegrationSync, set: Partial<IntegrationSync>, now = new Date()): SqlStatement {
    const { sql, parameters } = this.setClause(set, now);
    return {
      sql: `UPDATE integration_syncs SET ${sql} WHERE "tenantId" = ? AND "id" = ? AND "leaseOwner" = ?`,
      parameters: [...parameters, sync.tenantId, sync.id, sync.leaseOwner],
    };
  }

  /** Runs a leased update alone; false when the lease was lost. */
  async updateLeased(sync: IntegrationSync, set: Partial<IntegrationSync>, now = new Date()): Promise<boolean> {
    const affected = await this.sql.transaction((session) => session.run(this.leasedUpdate(sync, set, now)));
    if (affected !== 1) return false;
    Object.assign(sync, set, { updatedAt: now });
    return true;
  }

  private insert(sync: IntegrationSync): SqlStatement {
    return {
      sql: `INSERT INTO integration_syncs (${COLUMNS.map((column) => `"${column}"`).join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
      parameters: COLUMNS.map((column) => this.stored(column, sync[column])),
    };
  }

  private setClause(set: Partial<IntegrationSync>, now: Date): { sql: string; parameters: unknown[] } {
    const entries = Object.entries({ ...set, updatedAt: now }).filter(([, value]) => value !== undefined);
    return { sql: entries.map(([column]) => `"${column}" = ?`).join(', '), parameters: entries.map(([column, value]) => this.stored(column, value)) };
  }

  private stored(column: string, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    if (JSON_COLUMNS.has(column)) return JSON.stringify(value);
    if (TIME_COLUMNS.has(column)) return this.sql.time(value as Date);
    if (BOOLEAN_COLUMNS.has(column)) return this.sql.bool(value as boolean);
    return value;
  }

  private toSync(row: Record<string, unknown>): IntegrationSync {
    const sync = {} as Record<string, unknown>;
    for (const column of COLUMNS) {
      const value = row[column];
      if (value === null || value === undefined) sync[column] = null;
      else if (JSON_COLUMNS.has(column)) sync[column] = typeof value === 'string' ? JSON.parse(value) : value;
      else if (TIME_COLUMNS.has(column)) sync[column] = value instanceof Date ? value : new Date(`${String(value).replace(' ', 'T')}Z`);
      else if (BOOLEAN_COLUMNS.has(column)) sync[column] = value === true || value === 1 || value === '1';
      else sync[column] = value;
    }
    sync.passCounts ??= { ...EMPTY_COUNTS };
    return sync as unknown as IntegrationSync;
  }
}
