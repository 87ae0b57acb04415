import { Global, Module } from '@nestjs/common';
import { provideOptions } from '../config/options.provider';
import { EgressOptions } from './egress.options';
import { EgressClient } from './egress-client';
import { EgressPolicy } from './egress-policy';

/** The governed outbound HTTP client and its destination policy (EGRESS_ALLOW_LIST). */
@Global()
@Module({
  providers: [provideOptions(EgressOptions), EgressPolicy, EgressClient],
  exports: [EgressOptions, EgressPolicy, EgressClient],
})
export class EgressModule {}
