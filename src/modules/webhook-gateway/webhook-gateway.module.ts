import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { WebhookGatewayOptions } from './webhook-gateway.options';

/** The WebhookGatewayService role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(WebhookGatewayOptions)],
  exports: [WebhookGatewayOptions],
})
export class WebhookGatewayModule {
  static readonly options = [WebhookGatewayOptions];
}
