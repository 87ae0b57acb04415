import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { BatchedLookup } from '../../../platform/persistence/batched-lookup';
import { PreparedQuery } from '../../../platform/persistence/prepared-query';
import { WebhookDelivery } from '../../../platform/webhooks/entities/webhook-delivery.entity';

/** A stored inbound delivery as the dedupe lookup sees it. */
export interface KnownDelivery {
  id: string;
  payloadSha256: string | null;
}

interface DeliveryKey {
  tenantId: string;
  connectionId: string;
  vendorDeliveryId: string;
}

type KnownDeliveryRow = KnownDelivery & DeliveryKey;

const keyOf = (key: DeliveryKey): string => `${key.tenantId}\n${key.connectionId}\n${key.vendorDeliveryId}`;

/**
 * The dedupe lookup of every ingested webhook, on the unique index (tenant, connection, vendor delivery id).
 * SQLite: one prepared statement, run synchronously. PostgreSQL: the lookups of concurrent webhooks go
 * together as one query per event-loop turn (`unnest` of three arrays), one round trip instead of one each.
 */
@Injectable()
export class KnownDeliveries {
  private single?: PreparedQuery<KnownDelivery>;
  private batched?: BatchedLookup<DeliveryKey, KnownDeliveryRow>;

  constructor(@InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>) {}

  /**
   * Whether to look a delivery up before inserting it. Not on SQLite: its writes are synchronous and
   * cheap, so the unique index is the dedupe (a duplicate fails its insert and is looked up then), which
   * saves the lookup on every webhook that is not one. On PostgreSQL a failed group of inserts would be
   * retried entry by entry, each with its own commit, so duplicates are found first.
   */
  get checkBeforeInsert(): boolean {
    return this.deliveries.manager.connection.driver.options.type !== 'better-sqlite3';
  }

  find(tenantId: string, connectionId: string, vendorDeliveryId: string): Promise<KnownDelivery | undefined> {
    const dataSource = this.deliveries.manager.connection;
    if (dataSource.driver.options.type === 'better-sqlite3') {
      this.single ??= new PreparedQuery<KnownDelivery>(dataSource, this.singleQuery());
      return this.single.all([tenantId, connectionId, vendorDeliveryId]).then((rows) => rows[0]);
    }
    this.batched ??= this.batchedLookup();
    return this.batched.get({ tenantId, connectionId, vendorDeliveryId });
  }

  /** Rendered once by the query builder (quoting, schema, placeholders); parameters: tenant, connection, vendor delivery id. */
  private singleQuery(): string {
    const [sql] = this.selectKnown()
      .where('delivery.tenantId = :tenantId AND delivery.connectionId = :connectionId AND delivery.vendorDeliveryId = :vendorDeliveryId', {
        tenantId: '',
        connectionId: '',
        vendorDeliveryId: '',
      })
      .getQueryAndParameters();
    return sql;
  }

  private batchedLookup(): BatchedLookup<DeliveryKey, KnownDeliveryRow> {
    const [sql] = this.selectKnown()
      .addSelect('delivery.tenantId', 'tenantId')
      .addSelect('delivery.connectionId', 'connectionId')
      .addSelect('delivery.vendorDeliveryId', 'vendorDeliveryId')
      .where(
        '(delivery.tenantId, delivery.connectionId, delivery.vendorDeliveryId) IN (SELECT * FROM unnest(CAST(:tenants AS varchar[]), CAST(:connections AS varchar[]), CAST(:vendorIds AS varchar[])))',
        {
          tenants: [],
          connections: [],
          vendorIds: [],
        },
      )
      .getQueryAndParameters();
    const query = new PreparedQuery<KnownDeliveryRow>(this.deliveries.manager.connection, sql);
    return new BatchedLookup((keys) => query.all([keys.map((key) => key.tenantId), keys.map((key) => key.connectionId), keys.map((key) => key.vendorDeliveryId)]), keyOf, keyOf);
  }

  private selectKnown() {
    return this.deliveries.createQueryBuilder('delivery').select('delivery.id', 'id').addSelect('delivery.payloadSha256', 'payloadSha256');
  }
}
