import { jsonResponse, PeerResponse } from '../peer-http';

export const DOCUMENTATION_URL = 'https://docs.github.com/rest';

/** GitHub's error body: `{message, documentation_url, errors?, status}`. */
export function githubError(
  status: number,
  message: string,
  extra: { errors?: Array<Record<string, string>>; headers?: Record<string, string>; documentationUrl?: string } = {},
): PeerResponse {
  return jsonResponse(
    status,
    { message, documentation_url: extra.documentationUrl ?? DOCUMENTATION_URL, ...(extra.errors ? { errors: extra.errors } : {}), status: String(status) },
    extra.headers ?? {},
  );
}

export const notFound = (): PeerResponse => githubError(404, 'Not Found', { documentationUrl: 'https://docs.github.com/rest' });

/** 422 as GitHub words a failed validation: one entry per field. */
export function validationFailed(resource: string, field: string, code: 'missing_field' | 'invalid' | 'already_exists' | 'custom', message?: string): PeerResponse {
  return githubError(422, 'Validation Failed', { errors: [{ resource, field, code, ...(message ? { message } : {}) }] });
}
