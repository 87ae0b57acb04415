import { url } from '../config/codecs';
import { Env, OptionsSection } from '../config/options';

/** Where vendors reach the platform: read by the webhook gateway (URL-signing verifiers) and by senders that hand vendors a callback URL. */
@OptionsSection('Public URL', 'The address vendors call the platform at')
export class PublicUrlOptions {
  @Env('PUBLIC_BASE_URL', url({ protocols: ['https', 'http'] }), {
    description: 'Public URL of the ingest endpoint as vendors see it: schemes that sign the URL verify over it, and delivery callbacks are sent to it',
  })
  readonly publicBaseUrl?: string;
}

/** The address a vendor calls for one connection's webhooks: under PUBLIC_BASE_URL, which may carry a path of its own. */
export function ingestUrlOf(publicBaseUrl: string, connectionId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/webhooks/ingest/${encodeURIComponent(connectionId)}`;
}
