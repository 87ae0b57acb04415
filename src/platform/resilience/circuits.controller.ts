import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/decorators';
import { BreakerSettings, BreakerSnapshot, CircuitBreakerRegistry } from './breaker-registry';

export interface CircuitsReport {
  readonly settings: BreakerSettings;
  readonly breakers: readonly BreakerSnapshot[];
}

/** Operators' read-only view of this process's circuit breakers. Never gates readiness. */
@Public()
@Controller('health')
export class CircuitsController {
  constructor(private readonly registry: CircuitBreakerRegistry) {}

  @Get('circuits')
  @Header('Cache-Control', 'no-store')
  circuits(): CircuitsReport {
    return { settings: this.registry.settings, breakers: this.registry.snapshot() };
  }
}
