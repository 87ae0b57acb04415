import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { SecretRedactor } from '../observability/redaction';

/** TypeORM's own messages through the platform log; queries are never logged (they may carry values). */
export class TypeOrmPinoLogger implements TypeOrmLogger {
  private readonly logger = new Logger('TypeORM');

  logQuery(): void {}

  logQueryError(error: string | Error): void {
    this.logger.warn({ msg: 'Query failed', error: SecretRedactor.scrub(error instanceof Error ? error.message : error) });
  }

  logQuerySlow(time: number): void {
    this.logger.warn({ msg: 'Slow query', durationMs: time });
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}
