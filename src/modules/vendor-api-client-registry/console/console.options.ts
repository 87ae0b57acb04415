import { duration, str } from '../../../platform/config/codecs';
import { Env, OptionsSection } from '../../../platform/config/options';

@OptionsSection('Operator console', 'The web console at /console (VendorApiClientRegistryService and all)')
export class ConsoleOptions {
  @Env('CONSOLE_OIDC_CLIENT_ID', str({ minLength: 1 }), {
    description: "The console's OpenID Connect client id at AUTH_ISSUER (authorization code + PKCE); unset, the console signs in with a pasted or banner token only",
  })
  readonly oidcClientId?: string;

  @Env('CONSOLE_OIDC_SCOPE', str({ minLength: 1 }), { default: 'openid profile', description: 'The scopes the console asks the identity provider for' })
  readonly oidcScope: string;

  @Env('CONSOLE_DEV_TENANT', str({ pattern: /^[A-Za-z0-9_-]{1,64}$/, patternHint: 'letters, digits, _ and -' }), {
    default: 'default',
    description: 'Development only: the tenant of the console link the start banner prints (signed with the development secret)',
  })
  readonly developmentTenant: string;

  @Env('CONSOLE_DEV_TOKEN_TTL', duration({ min: 60_000, max: 86_400_000 }), { default: 15 * 60_000, description: "Development only: how long the banner's console link signs in" })
  readonly developmentTokenTtlMs: number;
}
