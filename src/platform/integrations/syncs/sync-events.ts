import type { PassKind } from './integration-sync.entity';
import type { RecordChange } from './external-record.entity';

/** One change of one record, as `ExternalRecordsChanged` carries it (the record itself is read at the records API). */
export interface RecordChangeEntry {
  externalId: string;
  change: RecordChange;
}

/** `data` of `ExternalRecordsChanged`: the changes one checkpointed page (or a full pass's deletions) made. */
export interface ExternalRecordsChangedData {
  connectionId: string;
  providerId: string;
  sync: string;
  pass: number;
  passKind: PassKind;
  changes: RecordChangeEntry[];
}

/** The bus command that asks the IntegrationSyncWorker to run a sync now. */
export interface RunSyncCommand {
  syncId: string;
  connectionId: string;
  name: string;
}

/** Deletions are announced in events of at most this many changes. */
export const MAX_CHANGES_PER_EVENT = 500;
