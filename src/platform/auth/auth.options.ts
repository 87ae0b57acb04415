import { duration, str, url } from '../config/codecs';
import { CrossFieldValidation, EnvironmentContext, Env, OptionsProblem, OptionsSection } from '../config/options';

@OptionsSection('Authentication', 'OAuth2 bearer JWTs on every API route')
export class AuthOptions implements CrossFieldValidation {
  @Env('AUTH_JWKS_URI', url({ protocols: ['https', 'http'] }), {
    description: 'JWKS of the identity provider; RS256 tokens are verified against it (production)',
  })
  readonly jwksUri?: string;

  @Env('AUTH_JWT_SECRET', str({ minLength: 32 }), {
    secret: true,
    defaultText: 'generated into DATA_DIR (not in production)',
    description: 'HS256 shared secret (development and tests); at least 32 characters',
  })
  readonly jwtSecret?: string;

  @Env('AUTH_ISSUER', str({ minLength: 1 }), { description: 'Required `iss` claim when set; required in production' })
  readonly issuer?: string;

  @Env('AUTH_AUDIENCE', str({ minLength: 1 }), { description: 'Required `aud` claim when set; required in production' })
  readonly audience?: string;

  @Env('AUTH_CLOCK_TOLERANCE', duration({ max: 300_000 }), { default: 5_000, description: 'Clock skew allowed on `exp` and `nbf`' })
  readonly clockToleranceMs: number;

  validate({ production }: EnvironmentContext): OptionsProblem[] {
    if (!production) return [];
    const problems: OptionsProblem[] = [];
    if (!this.jwksUri && !this.jwtSecret) {
      problems.push({
        variable: 'AUTH_JWKS_URI',
        message: 'is required in production (or AUTH_JWT_SECRET): the generated development secret is refused',
      });
    }
    if (this.jwksUri && !this.jwksUri.startsWith('https:')) {
      problems.push({ variable: 'AUTH_JWKS_URI', message: 'must use https in production' });
    }
    if (!this.issuer) problems.push({ variable: 'AUTH_ISSUER', message: 'is required in production' });
    if (!this.audience) problems.push({ variable: 'AUTH_AUDIENCE', message: 'is required in production' });
    return problems;
  }
}
