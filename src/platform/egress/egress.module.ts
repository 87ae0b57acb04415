import { Global, Module } from '@nestjs/common';
import { provideOptions } from '../config/options.provider';
import { EgressOptions } from './egress.options';
import { EgressClient } from './egress-client';
import { EgressPolicy } from './egress-policy';
import { EgressSockets } from './egress-sockets';

/** The governed outbound HTTP client, plain sockets for other protocols, and their destination policy (EGRESS_ALLOW_LIST). */
@Global()
@Module({
  providers: [provideOptions(EgressOptions), EgressPolicy, EgressClient, EgressSockets],
  exports: [EgressOptions, EgressPolicy, EgressClient, EgressSockets],
})
export class EgressModule {}
