import { Injectable } from '@nestjs/common';

/** A readiness check resolves (optionally with details) when its dependency is usable and throws when not. */
export type ReadinessCheck = () => Promise<Record<string, unknown> | void>;

/**
 * The pluggable list behind `GET /health/ready`: each adapter registers the dependency it needs (store,
 * bus, blob, secrets). Vendor health never registers here; a degraded vendor opens a circuit instead.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`Readiness check "${name}" is registered twice`);
    this.checks.set(name, check);
  }

  entries(): ReadonlyArray<[string, ReadinessCheck]> {
    return [...this.checks.entries()];
  }
}
