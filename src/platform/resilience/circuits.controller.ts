import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
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
  @ApiOperation({ summary: "This process's circuit breakers with their state" })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['settings', 'breakers'],
      properties: { settings: { type: 'object', additionalProperties: true }, breakers: { type: 'array', items: { type: 'object', additionalProperties: true } } },
    },
  })
  circuits(): CircuitsReport {
    return { settings: this.registry.settings, breakers: this.registry.snapshot() };
  }
}
