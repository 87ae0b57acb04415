import { Injectable } from '@nestjs/common';
import { PlatformMetrics } from '../observability/platform-metrics';

export type WorkKind = 'http' | 'grpc' | 'message' | 'schedule';

/**
 * Knows whether the process is draining and what work is in flight. HTTP requests, gRPC calls, bus
 * handlers and scheduled ticks register here; shutdown waits for the count to reach zero (up to the grace period),
 * and readiness fails as soon as draining starts so no new traffic is routed to the pod.
 */
@Injectable()
export class ProcessLifecycle {
  private draining = false;
  private readonly active: Record<WorkKind, number> = { http: 0, grpc: 0, message: 0, schedule: 0 };
  private idleWaiters: Array<() => void> = [];
  private readonly drainListeners: Array<() => void | Promise<void>> = [];

  constructor(private readonly metrics: PlatformMetrics) {}

  get isDraining(): boolean {
    return this.draining;
  }

  /** Registers a callback run when draining starts (consumers stop receiving, schedulers stop ticking). */
  onDrain(listener: () => void | Promise<void>): void {
    this.drainListeners.push(listener);
  }

  async beginDraining(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    await Promise.allSettled(this.drainListeners.map(async (listener) => listener()));
  }

  /** Marks one unit of work as started; call the returned function exactly once when it ends. */
  startWork(kind: WorkKind): () => void {
    this.active[kind] += 1;
    this.metrics.inFlight.inc({ kind });
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.active[kind] -= 1;
      this.metrics.inFlight.dec({ kind });
      if (this.total() === 0) this.releaseIdleWaiters();
    };
  }

  async run<T>(kind: WorkKind, work: () => Promise<T>): Promise<T> {
    const end = this.startWork(kind);
    try {
      return await work();
    } finally {
      end();
    }
  }

  activeWork(): Readonly<Record<WorkKind, number>> {
    return { ...this.active };
  }

  /** Resolves true once nothing is in flight, or false when `timeoutMs` passes first. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.total() === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter !== onIdle);
        resolve(false);
      }, timeoutMs);
      const onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(onIdle);
    });
  }

  private total(): number {
    return this.active.http + this.active.grpc + this.active.message + this.active.schedule;
  }

  private releaseIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((waiter) => waiter());
  }
}
