import { Column, Entity, Index } from 'typeorm';
import type { FailureCategory } from '../../runs/entities/integration-failure.entity';
import { CreatedAtColumn, IdColumn, JsonColumn, RowVersionColumn, TenantIdColumn, TenantOwned, UpdatedAtColumn } from '../../persistence/columns';

export interface ModelTarget {
  readonly connectionId: string;
  /** The provider's model (or deployment) name on that connection. */
  readonly model: string;
}

/**
 * A tenant's named model: callers name it as their `model`, the gateway tries its targets in order,
 * moving on only before a first token and only for the failure categories in `fallbackOn`.
 */
@Entity('model_routes')
@Index(['tenantId', 'name'], { unique: true })
export class ModelRoute implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @JsonColumn()
  targets: ModelTarget[];

  @JsonColumn()
  fallbackOn: FailureCategory[];

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;

  @RowVersionColumn()
  rowVersion: number;
}
