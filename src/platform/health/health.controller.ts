import { ArgumentsHost, Catch, Controller, ExceptionFilter, Get, ServiceUnavailableException, UseFilters } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import { Public } from '../auth/decorators';
import { ProcessLifecycle } from '../lifecycle/process-lifecycle';
import { SecretRedactor } from '../observability/redaction';
import { ReadinessChecks } from './readiness-checks';

const CHECK_TIMEOUT_MS = 3_000;

/** A failed check answers 503 with Terminus's per-indicator report, which probes and operators read. */
@Catch(ServiceUnavailableException)
class HealthReportFilter implements ExceptionFilter {
  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<FastifyReply>().code(503).send(exception.getResponse());
  }
}

@Public()
@UseFilters(HealthReportFilter)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessChecks,
    private readonly lifecycle: ProcessLifecycle,
  ) {}

  /** The process is up and its event loop answers. Never depends on anything outside the process. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** The process can take traffic: not draining, and every registered dependency answers. */
  @Get('ready')
  @HealthCheck()
  ready() {
    const draining: HealthIndicatorFunction = async () => {
      const indicator = this.indicators.check('lifecycle');
      return this.lifecycle.isDraining ? indicator.down({ message: 'draining for shutdown' }) : indicator.up();
    };
    const dependencies = this.readiness.entries().map(([name, check]): HealthIndicatorFunction => async () => {
      const indicator = this.indicators.check(name);
      try {
        const details = await withTimeout(check(), CHECK_TIMEOUT_MS, `${name} did not answer within ${CHECK_TIMEOUT_MS} ms`);
        return indicator.up(details ?? {});
      } catch (error) {
        return indicator.down({ message: SecretRedactor.scrub(error instanceof Error ? error.message : String(error)) });
      }
    });
    return this.health.check([draining, ...dependencies]);
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
