import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { GovernedStream } from '../../../platform/integrations/governed/governed-http-client';
import type { ObjectDownload, ObjectProperties } from './object-store';

/**
 * What every object-store provider reads of a cloud's answers the same way: a governed download as a
 * Readable, a header's first value, an HTTP date as ISO, a part's Content-MD5.
 */

/** A governed stream's body as a Readable: its run ends Completed at the end, Failed when the reader stops early or it breaks. */
export function governedBody(stream: GovernedStream): Readable {
  const body = Readable.from(stream.body, { objectMode: false });
  body.once('end', () => void stream.complete({}));
  body.once('error', (error) => void stream.fail(error));
  body.once('close', () => {
    if (!body.readableEnded) void stream.fail(new Error('The reader stopped before the end of the object'));
  });
  return body;
}

export function headerOf(answer: { headers: Record<string, string | string[]> }, name: string): string | null {
  const value = answer.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

export function isoOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** The base64 MD5 a cloud checks a part against (Content-MD5). */
export function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('base64');
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An object's properties from the headers of its HEAD or GET answer (both clouds name them alike). */
export function propertiesOf(key: string, answer: { headers: Record<string, string | string[]> }): ObjectProperties {
  return {
    key,
    size: Number(headerOf(answer, 'content-length') ?? 0),
    contentType: headerOf(answer, 'content-type'),
    etag: headerOf(answer, 'etag'),
    lastModified: isoOf(headerOf(answer, 'last-modified')),
  };
}

/** A streamed GET as a download: a range's answer names the object's size after the slash of Content-Range. */
export function downloadOf(key: string, stream: GovernedStream): ObjectDownload {
  const properties = propertiesOf(key, stream);
  const contentRange = headerOf(stream, 'content-range') ?? undefined;
  return {
    properties: contentRange ? { ...properties, size: Number(contentRange.split('/')[1]) } : properties,
    status: stream.status === 206 ? 206 : 200,
    contentLength: properties.size,
    ...(contentRange ? { contentRange } : {}),
    body: governedBody(stream),
  };
}
