import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository } from 'typeorm';
import { TenantContext } from '../../../platform/context/tenant-context';
import { isoOrNull } from '../../../platform/http/iso-date';
import { IntegrationConnection } from '../../../platform/integrations/entities/integration-connection.entity';
import { ExternalRecord, RecordChange } from '../../../platform/integrations/syncs/external-record.entity';
import { CompletedPass, IntegrationSync, PassCounts, PassKind, SyncError, SyncState } from '../../../platform/integrations/syncs/integration-sync.entity';
import { RunSyncCommand } from '../../../platform/integrations/syncs/sync-events';
import { COMMANDS } from '../../../platform/messaging/contracts';
import { SyncRows } from '../../../platform/integrations/syncs/sync-rows';
import { BusPublisher } from '../../../platform/messaging/bus-publisher';
import type { SyncSource } from '../../../platform/vendors/vendor-descriptor';
import { VendorCatalogue } from '../../../platform/vendors/vendor-catalogue';
import { IntegrationSyncOptions } from '../../../workers/integration-sync/integration-sync.options';
import { ConfigureSyncDto, DEFAULT_FULL_PASS_EVERY, DEFAULT_RECORDS_LIMIT, ListRecordsQuery } from './sync.dto';

export interface SyncView {
  name: string;
  description: string;
  incremental: boolean;
  configured: boolean;
  id: string | null;
  enabled: boolean;
  intervalMs: number;
  fullPassEvery: number;
  state: SyncState;
  /** The pass in progress (null when none is). */
  pass: { number: number; kind: PassKind | null; since: string | null; cursor: string | null; counts: PassCounts } | null;
  watermark: string | null;
  lastPass: CompletedPass | null;
  lastError: SyncError | null;
  lastRunAt: string | null;
  lastCompletedAt: string | null;
  nextRunAt: string | null;
  runRequestedAt: string | null;
}

export interface RecordView {
  externalId: string;
  contentHash: string;
  change: RecordChange;
  data: unknown;
  vendorUpdatedAt: string | null;
  firstSeenAt: string;
  changedAt: string;
  deletedAt: string | null;
}

/** The sync API of a connection: every sync source of its provider, configured or not, and the records they keep. */
@Injectable()
export class SyncsService {
  constructor(
    @InjectRepository(IntegrationConnection) private readonly connections: Repository<IntegrationConnection>,
    @InjectRepository(ExternalRecord) private readonly records: Repository<ExternalRecord>,
    private readonly rows: SyncRows,
    private readonly catalogue: VendorCatalogue,
    private readonly publisher: BusPublisher,
    private readonly tenant: TenantContext,
    private readonly options: IntegrationSyncOptions,
  ) {}

  async list(connectionId: string): Promise<SyncView[]> {
    const connection = await this.connection(connectionId);
    const configured = new Map((await this.rows.ofConnection(connection.tenantId, connection.id)).map((sync) => [sync.name, sync]));
    return this.catalogue.syncSources(connection.providerId).map((source) => this.view(source, configured.get(source.name)));
  }

  async get(connectionId: string, name: string): Promise<SyncView> {
    const { connection, source } = await this.source(connectionId, name);
    return this.view(source, await this.rows.findByName(connection.tenantId, connection.id, name));
  }

  async configure(connectionId: string, name: string, request: ConfigureSyncDto): Promise<SyncView> {
    const { connection, source } = await this.source(connectionId, name);
    const existing = await this.rows.findByName(connection.tenantId, connection.id, name);
    const sync = await this.rows.configure(connection.tenantId, connection.id, name, {
      enabled: request.enabled,
      intervalMs: request.intervalMs ?? existing?.intervalMs ?? this.options.intervalMs,
      fullPassEvery: request.fullPassEvery ?? existing?.fullPassEvery ?? DEFAULT_FULL_PASS_EVERY,
    });
    return this.view(source, sync);
  }

  /** Records the request on the sync (so the schedule runs it even if the command is lost) and nudges a worker. */
  async requestRun(connectionId: string, name: string): Promise<SyncView> {
    const { connection, source } = await this.source(connectionId, name);
    if (connection.status === 'Retired') throw new ConflictException(`Connection ${connection.id} is retired and runs no syncs`);
    const sync =
      (await this.rows.findByName(connection.tenantId, connection.id, name)) ??
      (await this.rows.configure(connection.tenantId, connection.id, name, { enabled: false, intervalMs: this.options.intervalMs, fullPassEvery: DEFAULT_FULL_PASS_EVERY }));
    const requestedAt = new Date();
    // Due now; a run in progress keeps going and the request is met by it (or the run after it).
    const nextRunAt = sync.nextRunAt && sync.nextRunAt < requestedAt ? sync.nextRunAt : requestedAt;
    await this.rows.update(sync, { runRequestedAt: requestedAt, nextRunAt });
    Object.assign(sync, { runRequestedAt: requestedAt, nextRunAt });
    const command: RunSyncCommand = { syncId: sync.id, connectionId: connection.id, name };
    await this.publisher.send(COMMANDS.RunSync, command, { tenantId: connection.tenantId });
    return this.view(source, sync);
  }

  async listRecords(connectionId: string, name: string, query: ListRecordsQuery): Promise<{ items: RecordView[]; nextCursor: string | null }> {
    const { connection } = await this.source(connectionId, name);
    const limit = query.limit ?? DEFAULT_RECORDS_LIMIT;
    const after = query.cursor ? decodeRecordCursor(query.cursor) : query.changedSince ? { changedAt: new Date(query.changedSince), externalId: null } : undefined;
    const builder = this.records
      .createQueryBuilder('record')
      .where('record.tenantId = :tenantId AND record.connectionId = :connectionId AND record.syncName = :name', {
        tenantId: connection.tenantId,
        connectionId: connection.id,
        name,
      })
      .orderBy('record.changedAt', 'ASC')
      .addOrderBy('record.externalId', 'ASC')
      .take(limit + 1);
    if (after?.externalId === null) builder.andWhere('record.changedAt > :changedAt', { changedAt: after.changedAt });
    else if (after) {
      builder.andWhere(
        new Brackets((where) =>
          where
            .where('record.changedAt > :changedAt', { changedAt: after.changedAt })
            .orWhere('record.changedAt = :changedAt AND record.externalId > :externalId', { externalId: after.externalId }),
        ),
      );
    }
    const rows = await builder.getMany();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(recordView), nextCursor: rows.length > limit && last ? encodeRecordCursor(last) : null };
  }

  private async connection(id: string): Promise<IntegrationConnection> {
    const connection = await this.connections.findOneBy({ tenantId: this.tenant.tenantId, id });
    if (!connection) throw new NotFoundException(`Connection ${id} not found`);
    return connection;
  }

  private async source(connectionId: string, name: string): Promise<{ connection: IntegrationConnection; source: SyncSource }> {
    const connection = await this.connection(connectionId);
    const source = this.catalogue.syncSource(connection.providerId, name);
    if (!source) throw new NotFoundException(`Provider ${connection.providerId} has no sync source ${name}`);
    return { connection, source };
  }

  private view(source: SyncSource, sync: IntegrationSync | undefined): SyncView {
    return {
      name: source.name,
      description: source.description,
      incremental: source.incremental,
      configured: sync !== undefined,
      id: sync?.id ?? null,
      enabled: sync?.enabled ?? false,
      intervalMs: sync?.intervalMs ?? this.options.intervalMs,
      fullPassEvery: sync?.fullPassEvery ?? DEFAULT_FULL_PASS_EVERY,
      state: sync?.state ?? 'Idle',
      pass: sync?.passId ? { number: sync.passNumber, kind: sync.passKind, since: sync.passSince, cursor: sync.pageCursor, counts: sync.passCounts } : null,
      watermark: sync?.watermark ?? null,
      lastPass: sync?.lastPass ?? null,
      lastError: sync?.lastError ?? null,
      lastRunAt: isoOrNull(sync?.lastRunAt ?? null),
      lastCompletedAt: isoOrNull(sync?.lastCompletedAt ?? null),
      nextRunAt: isoOrNull(sync?.nextRunAt ?? null),
      runRequestedAt: isoOrNull(sync?.runRequestedAt ?? null),
    };
  }
}

function recordView(record: ExternalRecord): RecordView {
  return {
    externalId: record.externalId,
    contentHash: record.contentHash,
    change: record.changeKind,
    data: JSON.parse(record.data) as unknown,
    vendorUpdatedAt: record.vendorUpdatedAt,
    firstSeenAt: record.firstSeenAt.toISOString(),
    changedAt: record.changedAt.toISOString(),
    deletedAt: isoOrNull(record.deletedAt),
  };
}

function encodeRecordCursor(record: ExternalRecord): string {
  return Buffer.from(JSON.stringify([record.changedAt.toISOString(), record.externalId])).toString('base64url');
}

/** 400 for anything that is not a cursor this API issued. */
function decodeRecordCursor(text: string): { changedAt: Date; externalId: string } {
  try {
    const [changedAt, externalId] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof changedAt === 'string' && typeof externalId === 'string' && !Number.isNaN(Date.parse(changedAt))) return { changedAt: new Date(changedAt), externalId };
  } catch {
    // not JSON: not ours
  }
  throw new BadRequestException('cursor must be the nextCursor of a previous page');
}
