import { randomUUID } from 'node:crypto';
import { RequestContext } from '../context/request-context';
import { currentTraceparent, isValidTraceparent } from '../observability/tracing';

/**
 * The canonical envelope: CloudEvents 1.0 in its JSON format, with the platform's two extension
 * attributes `tenantid` (always) and `traceparent` (W3C trace context of the producer).
 */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype?: string;
  dataschema?: string;
  data?: T;
  tenantid: string;
  traceparent?: string;
  [extension: string]: unknown;
}

export interface CloudEventInput<T> {
  type: string;
  source: string;
  data?: T;
  id?: string;
  subject?: string;
  time?: Date | string;
  datacontenttype?: string;
  dataschema?: string;
  /** Defaults to the tenant of the request or message in scope. */
  tenantid?: string;
  /** Defaults to the trace in scope. */
  traceparent?: string;
  extensions?: Record<string, string | number | boolean>;
  /**
   * Skip validation: only for envelopes the platform builds from constants and ids it made itself
   * (hot paths such as run events). Anything carrying caller input is validated.
   */
  trusted?: boolean;
}

export class InvalidCloudEventError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid CloudEvent: ${problems.join('; ')}`);
    this.name = 'InvalidCloudEventError';
  }
}

const CONTEXT_ATTRIBUTES = new Set(['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'dataschema', 'data', 'data_base64']);
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Builds a valid envelope, filling id, time, tenant and trace from the scope when not given. */
export function buildCloudEvent<T>(input: CloudEventInput<T>): CloudEvent<T> {
  const scope = RequestContext.current();
  const event: CloudEvent<T> = {
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    source: input.source,
    type: input.type,
    time: input.time instanceof Date ? input.time.toISOString() : (input.time ?? new Date().toISOString()),
    tenantid: input.tenantid ?? scope?.tenantId ?? '',
    traceparent: input.traceparent ?? currentTraceparent(),
    ...(input.subject !== undefined ? { subject: input.subject } : {}),
    ...(input.dataschema !== undefined ? { dataschema: input.dataschema } : {}),
    ...(input.data !== undefined ? { datacontenttype: input.datacontenttype ?? 'application/json', data: input.data } : {}),
    ...input.extensions,
  };
  if (!input.trusted) assertCloudEvent(event);
  return event;
}

/** Every problem with a candidate envelope; empty when it is a valid platform CloudEvent. */
export function cloudEventProblems(candidate: unknown): string[] {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) return ['an event must be a JSON object'];
  const event = candidate as Record<string, unknown>;
  const problems: string[] = [];
  const requireString = (name: string) => {
    if (typeof event[name] !== 'string' || (event[name] as string).length === 0) problems.push(`${name} must be a non-empty string`);
  };
  if (event.specversion !== '1.0') problems.push('specversion must be "1.0"');
  requireString('id');
  requireString('source');
  requireString('type');
  requireString('tenantid');
  if (typeof event.source === 'string' && event.source.length > 0 && !isUriReference(event.source)) {
    problems.push('source must be a URI-reference');
  }
  if (event.time !== undefined && (typeof event.time !== 'string' || !RFC3339.test(event.time) || Number.isNaN(Date.parse(event.time)))) {
    problems.push('time must be an RFC 3339 timestamp');
  }
  for (const name of ['subject', 'datacontenttype', 'dataschema'] as const) {
    if (event[name] !== undefined && (typeof event[name] !== 'string' || (event[name] as string).length === 0)) {
      problems.push(`${name} must be a non-empty string when present`);
    }
  }
  if (event.traceparent !== undefined && (typeof event.traceparent !== 'string' || !isValidTraceparent(event.traceparent))) {
    problems.push('traceparent must be a valid W3C traceparent');
  }
  if (event.data !== undefined && event.data_base64 !== undefined) problems.push('data and data_base64 are mutually exclusive');
  for (const [name, value] of Object.entries(event)) {
    if (CONTEXT_ATTRIBUTES.has(name)) continue;
    if (!EXTENSION_NAME.test(name)) problems.push(`extension attribute "${name}" must be 1-20 lower-case letters or digits`);
    else if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      problems.push(`extension attribute "${name}" must be a string, number or boolean`);
    }
  }
  return problems;
}

export function assertCloudEvent(candidate: unknown): asserts candidate is CloudEvent {
  const problems = cloudEventProblems(candidate);
  if (problems.length > 0) throw new InvalidCloudEventError(problems);
}

function isUriReference(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    new URL(value, 'https://base.invalid/');
    return true;
  } catch {
    return false;
  }
}
