import { Global, Module } from '@nestjs/common';
import { provideOptions } from '../config/options.provider';
import { CircuitBreakerRegistry } from './breaker-registry';
import { CircuitsController } from './circuits.controller';
import { ResilienceOptions } from './resilience.options';

/** Circuit breakers per provider endpoint, shared by every module of the process. Needs PlatformMetrics (PlatformModule). */
@Global()
@Module({
  controllers: [CircuitsController],
  providers: [provideOptions(ResilienceOptions), CircuitBreakerRegistry],
  exports: [ResilienceOptions, CircuitBreakerRegistry],
})
export class ResilienceModule {}
