import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { AuthOptions } from '../platform/auth/auth.options';
import { ensureDevelopmentSecret } from '../platform/auth/development-secret';
import { signDevelopmentToken } from '../platform/auth/development-tokens';
import { SCOPES } from '../platform/auth/scopes';
import { duration } from '../platform/config/codecs';
import { ConfigurationError, loadOptions } from '../platform/config/options';
import { RuntimeOptions } from '../platform/config/runtime.options';

const USAGE = `Usage: npm run token -- --tenant <tenantId> [--scope "<scope> <scope>..."] [--subject <sub>] [--expires-in 1h]

Prints a bearer token signed with AUTH_JWT_SECRET (or the development secret generated into DATA_DIR),
with AUTH_ISSUER / AUTH_AUDIENCE when set. Without --scope the token carries every scope:
  ${SCOPES.join('\n  ')}`;

async function main(argv: string[]): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tenant: { type: 'string' },
      scope: { type: 'string', multiple: true },
      subject: { type: 'string' },
      'expires-in': { type: 'string', default: '1h' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) throw new UsageError(USAGE);
  if (!values.tenant) throw new UsageError(`--tenant is required\n\n${USAGE}`);

  const runtime = loadOptions(RuntimeOptions);
  const auth = loadOptions(AuthOptions);
  let secret = auth.jwtSecret;
  if (!secret) {
    if (auth.jwksUri || runtime.production) {
      throw new UsageError('AUTH_JWT_SECRET is not set: with AUTH_JWKS_URI, tokens come from your identity provider');
    }
    secret = ensureDevelopmentSecret(runtime.dataDir).secret;
  }
  const expiresInSeconds = Math.round(duration({ min: 1000 }).parse(values['expires-in']) / 1000);
  const scopes = values.scope?.flatMap((entry) => entry.split(/[\s,]+/)).filter(Boolean) ?? [...SCOPES];

  return signDevelopmentToken(secret, {
    tenantId: values.tenant,
    scopes,
    subject: values.subject ?? `cli:${values.tenant}`,
    expiresInSeconds,
    issuer: auth.issuer,
    audience: auth.audience,
  });
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (token) => process.stdout.write(`${token}\n`),
  (error: unknown) => {
    const known = error instanceof UsageError || error instanceof ConfigurationError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`${known ? (error as Error).message : String((error as Error).stack ?? error)}\n`);
    process.exit(2);
  },
);
