import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AzureCredentials } from '../azure/azure-credentials';
import { provideOptions } from '../config/options.provider';
import { ReadinessChecks } from '../health/readiness-checks';
import { DatabaseOptions } from '../persistence/database.options';
import { BusClient } from './bus.client';
import { BusOptions } from './bus.options';
import { BusPublisher } from './bus-publisher';
import { BusServer } from './bus.server';
import { ConsumerSettings } from './consumer-settings';
import { MessageBus } from './message-bus';
import { createMessageBus } from './message-bus.factory';
import { MessageDispatcher } from './message-dispatcher';
import { GroupedOutboxCommits } from './outbox/grouped-outbox-commits';
import { TransactionalOutbox } from './outbox/transactional-outbox';

/** Readiness gates on the bus answering (a store query, or a Service Bus link that authenticates). */
@Injectable()
class BusReadiness implements OnModuleInit {
  constructor(
    private readonly bus: MessageBus,
    private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.readiness.register('bus', async () => {
      await this.bus.ping();
      return { kind: this.bus.kind };
    });
  }
}

/** The messaging port, its adapter chosen by configuration, its Nest transport (server and client), and the transactional outbox (with its shared group commit). */
@Global()
@Module({
  providers: [
    provideOptions(BusOptions),
    {
      provide: MessageBus,
      inject: [BusOptions, DatabaseOptions, DataSource, AzureCredentials],
      useFactory: (options: BusOptions, database: DatabaseOptions, dataSource: DataSource, azure: AzureCredentials) => createMessageBus(options, database, dataSource, azure),
    },
    BusPublisher,
    BusClient,
    ConsumerSettings,
    MessageDispatcher,
    BusServer,
    BusReadiness,
    TransactionalOutbox,
    GroupedOutboxCommits,
  ],
  exports: [BusOptions, MessageBus, BusPublisher, BusClient, ConsumerSettings, BusServer, TransactionalOutbox, GroupedOutboxCommits],
})
export class MessagingModule {}
