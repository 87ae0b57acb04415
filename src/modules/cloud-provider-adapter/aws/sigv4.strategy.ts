import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import type { AuthContext, AuthStrategy } from '../../../platform/vendors/vendor-descriptor';
import { type AwsCredentials, type SigningScope, signRequest } from './sigv4';

export const AWS_SIGV4_AUTH_MODE = 'aws-sigv4';
const DEFAULT_SERVICE = 's3';
/** A region or signing name is one word of the credential scope (`<date>/<region>/<service>/aws4_request`). */
const SCOPE_PART = /^[A-Za-z0-9._-]+$/;

/**
 * The access key of a credential that is JSON `{"accessKeyId","secretAccessKey","sessionToken"?}` or
 * `accessKeyId:secretAccessKey`. Its messages never quote the credential.
 */
export function awsCredentialsOf(credential: string): AwsCredentials {
  const text = credential.trim();
  const credentials = text.startsWith('{') ? fromJson(text) : fromPair(text);
  if (!/^[^\s/]+$/.test(credentials.accessKeyId)) {
    throw IntegrationError.auth('aws_credential_invalid', 'The credential’s access key id is empty or holds a space or a slash');
  }
  return credentials;
}

/** The region (required) and signing name (default `s3`) a connection's configuration names: problems in words. */
export function sigV4ConfigurationProblems(configuration: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const { region, service } = configuration;
  if (region === undefined) problems.push(`configuration.region is required with auth ${AWS_SIGV4_AUTH_MODE} (us-east-1, or the store’s own: auto, garage…)`);
  else if (typeof region !== 'string' || !SCOPE_PART.test(region)) problems.push('configuration.region must be a region name: letters, digits, dots, dashes, underscores');
  if (service !== undefined && (typeof service !== 'string' || !SCOPE_PART.test(service))) {
    problems.push(`configuration.service must be an AWS signing name (${DEFAULT_SERVICE} when absent)`);
  }
  return problems;
}

export function signingScopeOf(configuration: Readonly<Record<string, unknown>>): SigningScope {
  const problems = sigV4ConfigurationProblems(configuration);
  if (problems.length > 0) throw IntegrationError.validation('aws_sigv4_configuration_invalid', problems.join('; '));
  return { region: configuration.region as string, service: (configuration.service as string | undefined) ?? DEFAULT_SERVICE };
}

/**
 * AWS Signature Version 4 on every governed call, for S3 and the S3-compatible stores (MinIO, R2,
 * Garage…). A payload hash the caller set in `x-amz-content-sha256` (`UNSIGNED-PAYLOAD`) is signed as
 * given; otherwise the body's SHA-256 is.
 */
export class AwsSigV4Strategy implements AuthStrategy {
  readonly mode = AWS_SIGV4_AUTH_MODE;
  readonly description = `AWS Signature Version 4 with an access key (JSON {accessKeyId, secretAccessKey, sessionToken?} or accessKeyId:secretAccessKey); configuration.region is required, configuration.service defaults to ${DEFAULT_SERVICE}`;
  readonly needsCredential = true;
  readonly credentialKinds = ['secret', 'basic'] as const;

  constructor(private readonly now: () => Date = () => new Date()) {}

  configurationProblems(configuration: Readonly<Record<string, unknown>>): string[] {
    return sigV4ConfigurationProblems(configuration);
  }

  async headers(context: AuthContext): Promise<Record<string, string>> {
    if (!context.request) throw IntegrationError.validation('aws_sigv4_unsigned_request', 'AWS Signature Version 4 signs each request: there is no request to sign');
    const scope = signingScopeOf(context.configuration);
    const credentials = awsCredentialsOf(await context.secret());
    return signRequest(context.request, credentials, { ...scope, now: this.now(), payloadHash: context.request.headers['x-amz-content-sha256'] }).headers;
  }
}

function fromJson(text: string): AwsCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // No cause attached: JSON.parse's message quotes the text it failed on, the secret included.
    throw IntegrationError.auth('aws_credential_invalid', 'The credential starts as JSON but does not parse');
  }
  const { accessKeyId, secretAccessKey, sessionToken } = parsed as Record<string, unknown>;
  if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || secretAccessKey === '') {
    throw IntegrationError.auth('aws_credential_invalid', 'The credential’s JSON needs string accessKeyId and secretAccessKey');
  }
  if (sessionToken !== undefined && (typeof sessionToken !== 'string' || sessionToken === '')) {
    throw IntegrationError.auth('aws_credential_invalid', 'The credential’s sessionToken, when given, is a non-empty string');
  }
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

function fromPair(text: string): AwsCredentials {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) {
    throw IntegrationError.auth('aws_credential_invalid', 'The credential is neither JSON {accessKeyId, secretAccessKey} nor accessKeyId:secretAccessKey');
  }
  return { accessKeyId: text.slice(0, colon), secretAccessKey: text.slice(colon + 1) };
}
