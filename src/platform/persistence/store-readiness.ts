import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReadinessChecks } from '../health/readiness-checks';

/** Readiness gates on the store answering a trivial query. */
@Injectable()
export class StoreReadiness implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.readiness.register('store', async () => {
      await this.dataSource.query('SELECT 1');
      return { dialect: this.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite' };
    });
  }
}
