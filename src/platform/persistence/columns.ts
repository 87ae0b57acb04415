import { Column, ColumnOptions, CreateDateColumn, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

/**
 * The dialect is fixed per process by DATABASE_URL (see DatabaseOptions), and TypeORM needs a column
 * type that the driver accepts at decoration time: `timestamptz` on PostgreSQL, `datetime` on SQLite.
 */
export const STORE_DIALECT: 'postgres' | 'sqlite' = process.env.DATABASE_URL?.trim() ? 'postgres' : 'sqlite';
export const TIMESTAMP_TYPE = STORE_DIALECT === 'postgres' ? 'timestamptz' : 'datetime';

export const IdColumn = (): PropertyDecorator => PrimaryColumn({ type: 'varchar', length: 64 });
export const TenantIdColumn = (): PropertyDecorator => Column({ type: 'varchar', length: 128 });
export const TimestampColumn = (options: ColumnOptions = {}): PropertyDecorator => Column({ ...options, type: TIMESTAMP_TYPE });
export const CreatedAtColumn = (): PropertyDecorator => CreateDateColumn({ type: TIMESTAMP_TYPE });
export const UpdatedAtColumn = (): PropertyDecorator => UpdateDateColumn({ type: TIMESTAMP_TYPE });
/** Bytes as they are: `bytea` on PostgreSQL, `blob` on SQLite; read back as a Buffer. */
export const BinaryColumn = (options: { nullable?: boolean } = {}): PropertyDecorator => Column({ type: STORE_DIALECT === 'postgres' ? 'bytea' : 'blob', ...options });
export const JsonColumn = (options: { nullable?: boolean } = {}): PropertyDecorator => Column({ type: 'simple-json', ...options });
export const RowVersionColumn = (): PropertyDecorator => VersionColumn();

/** Every aggregate row belongs to exactly one tenant; global rows (built-in providers) use GLOBAL_TENANT. */
export interface TenantOwned {
  tenantId: string;
}

export const GLOBAL_TENANT = '_global';
