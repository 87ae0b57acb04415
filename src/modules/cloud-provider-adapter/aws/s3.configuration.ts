import { keyPrefixProblems } from '../object-storage/object-keys';
import { sigV4ConfigurationProblems } from './sigv4.strategy';

/** S3 bucket names (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), leniently for S3-compatible stores. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface S3Configuration {
  readonly bucket: string;
  readonly region: string;
  /** `https://s3.<region>.amazonaws.com` unless an S3-compatible endpoint is named. */
  readonly endpoint?: string;
  /** `/<bucket>/<key>` on the endpoint instead of `<bucket>.<endpoint host>` (most S3-compatible stores). */
  readonly forcePathStyle: boolean;
}

export function s3ConfigurationOf(configuration: Readonly<Record<string, unknown>>): S3Configuration {
  return {
    bucket: String(configuration.bucket),
    region: String(configuration.region),
    ...(typeof configuration.endpoint === 'string' ? { endpoint: configuration.endpoint } : {}),
    forcePathStyle: configuration.forcePathStyle === true,
  };
}

export function s3ConfigurationProblems(configuration: Readonly<Record<string, unknown>>): string[] {
  const problems = [...sigV4ConfigurationProblems(configuration), ...keyPrefixProblems(configuration)];
  const { bucket, endpoint, forcePathStyle } = configuration;
  if (typeof bucket !== 'string' || !BUCKET.test(bucket)) problems.push('configuration.bucket must be a bucket name (3–63 lower-case letters, digits, dots and dashes)');
  if (endpoint !== undefined && (typeof endpoint !== 'string' || !/^https?:\/\//.test(endpoint) || !URL.canParse(endpoint))) {
    problems.push('configuration.endpoint must be the http(s) URL of an S3-compatible endpoint');
  }
  if (forcePathStyle !== undefined && typeof forcePathStyle !== 'boolean') problems.push('configuration.forcePathStyle must be true or false');
  return problems;
}

/** The connection's base URL: the bucket's virtual host, or the endpoint itself in path style. */
export function s3BaseUrlOf(configuration: Readonly<Record<string, unknown>>): string | undefined {
  if (s3ConfigurationProblems(configuration).length > 0) return undefined;
  const s3 = s3ConfigurationOf(configuration);
  const endpoint = new URL(s3.endpoint ?? `https://s3.${s3.region}.amazonaws.com`);
  if (!s3.forcePathStyle) endpoint.hostname = `${s3.bucket}.${endpoint.hostname}`;
  return endpoint.origin;
}

/** The path of the bucket (`/` in virtual-host style) and of an object in it, each key segment percent-encoded. */
export function s3Paths(configuration: Readonly<Record<string, unknown>>): { bucket: string; object: (key: string) => string } {
  const s3 = s3ConfigurationOf(configuration);
  const bucket = s3.forcePathStyle ? `/${s3.bucket}` : '';
  return {
    bucket: bucket || '/',
    object: (key) => `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
  };
}
