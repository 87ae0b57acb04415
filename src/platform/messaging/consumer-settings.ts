import { Injectable } from '@nestjs/common';

export interface ConsumerTuning {
  concurrency?: number;
  prefetch?: number;
}

/**
 * Per-consumer tuning owned by the consuming module: in its constructor or `onModuleInit` a module sets
 * the concurrency and prefetch of its entity from its own options (e.g. WEBHOOK_DELIVERY_CONCURRENCY);
 * the bus server reads them when it starts consuming, which the entry points do only after `app.init()`.
 * Unset values fall back to BUS_CONCURRENCY / BUS_PREFETCH.
 */
@Injectable()
export class ConsumerSettings {
  private readonly tuning = new Map<string, ConsumerTuning>();

  /** `entity` is a queue name or `topic/Subscriptions/name` (see sourcePath). */
  set(entity: string, tuning: ConsumerTuning): void {
    this.tuning.set(entity, { ...this.tuning.get(entity), ...tuning });
  }

  get(entity: string): ConsumerTuning {
    return this.tuning.get(entity) ?? {};
  }
}
