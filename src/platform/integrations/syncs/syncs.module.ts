import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ExternalRecord } from './external-record.entity';
import { IntegrationSync } from './integration-sync.entity';
import { SyncCheckpoints } from './sync-checkpoints';
import { SyncPageCache } from './sync-page-cache';
import { SyncPageEntry } from './sync-page.entity';
import { SyncRows } from './sync-rows';
import { SyncRunner } from './sync-runner';

/** The sync mechanism (vendor-neutral): sync rows, page checkpoints, the conditional-request cache and the runner. */
@Module({
  imports: [TypeOrmModule.forFeature([IntegrationSync, ExternalRecord, SyncPageEntry])],
  providers: [SyncRows, SyncCheckpoints, SyncPageCache, SyncRunner],
  exports: [TypeOrmModule, SyncRows, SyncRunner],
})
export class SyncsModule {}
