import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import type { ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';
import { GovernedHttpClient, type GovernedResponse } from '../../../platform/integrations/governed/governed-http-client';
import type { GovernedRequest } from '../../../platform/integrations/governed/governed-request';
import { classifyError, IntegrationError } from '../../../platform/resilience/failure-classifier';
import { CloudProviderAdapterOptions } from '../cloud-provider-adapter.options';
import type {
  ByteRange,
  ObjectDownload,
  ObjectLocation,
  ObjectPage,
  ObjectProperties,
  ObjectStoreProvider,
  PresignedUrl,
  PutObject,
  StoredObject,
} from '../object-storage/object-store';
import { PartReader } from '../object-storage/part-reader';
import { uploadInParts } from '../object-storage/parted-upload';
import { downloadOf, escapeXml, headerOf, isoOf, md5, propertiesOf } from '../object-storage/provider-answers';
import { parseS3Xml, s3Failure, type S3Xml } from './s3-answers';
import { s3Paths } from './s3.configuration';
import { presignUrl } from './sigv4';
import { awsCredentialsOf, signingScopeOf } from './sigv4.strategy';

/**
 * S3 and S3-compatible stores over their REST API, signed with Signature Version 4 by the connection's
 * auth strategy. An object up to CLOUD_MULTIPART_THRESHOLD is one PutObject; a larger one (or one of
 * unknown length) is a multipart upload of CLOUD_PART_SIZE parts, CLOUD_PART_CONCURRENCY at a time,
 * aborted if anything fails, so a failed upload leaves no object and no parts behind. Every part carries
 * its Content-MD5, which S3 checks; the whole object's SHA-256 is computed as it streams through.
 */
@Injectable()
export class S3ObjectStore implements ObjectStoreProvider {
  readonly providerId = 'aws';
  private readonly logger = new Logger(S3ObjectStore.name);

  constructor(
    private readonly http: GovernedHttpClient,
    private readonly options: CloudProviderAdapterOptions,
  ) {}

  async put(location: ObjectLocation, object: PutObject): Promise<StoredObject> {
    const reader = new PartReader(object.body);
    const sha256 = createHash('sha256');
    const threshold = this.options.multipartThresholdBytes;
    const first = (await reader.read(threshold + 1)) ?? Buffer.alloc(0);
    sha256.update(first);
    if (first.length <= threshold) {
      const response = await this.call(
        location,
        { method: 'PUT', path: this.objectPath(location), headers: { 'content-type': object.contentType, ...integrityHeaders(first) }, body: first },
        's3.putObject',
      );
      if (response.status !== 200) throw s3Failure(response, 'store the object');
      return { key: location.key, size: first.length, contentType: object.contentType, etag: headerOf(response, 'etag'), lastModified: null, sha256: sha256.digest('hex') };
    }
    return this.multipart(location, object.contentType, reader, first, sha256);
  }

  async get(location: ObjectLocation, range?: ByteRange): Promise<ObjectDownload | null> {
    const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end ?? ''}` } : {};
    const answer = await this.http.stream(
      location.profile.connection.id,
      { method: 'GET', path: this.objectPath(location), headers },
      { tenantId: location.tenantId, operation: 's3.getObject', metricOperation: 's3.getObject' },
    );
    if (!answer.streaming) {
      if (answer.status === 404) return null;
      throw s3Failure(answer, 'read the object');
    }
    return downloadOf(location.key, answer.stream);
  }

  async head(location: ObjectLocation): Promise<ObjectProperties | null> {
    const response = await this.call(location, { method: 'HEAD', path: this.objectPath(location) }, 's3.headObject');
    if (response.status === 404) return null;
    if (response.status !== 200) throw s3Failure(response, 'read the object’s properties');
    return propertiesOf(location.key, response);
  }

  async delete(location: ObjectLocation): Promise<boolean> {
    const response = await this.call(location, { method: 'DELETE', path: this.objectPath(location) }, 's3.deleteObject');
    if (response.status !== 204 && response.status !== 200 && response.status !== 404) throw s3Failure(response, 'delete the object');
    // S3 answers 204 whether or not there was an object.
    return response.status !== 404;
  }

  async list(tenantId: string, profile: ConnectionProfile, query: { prefix: string; cursor?: string; limit: number }): Promise<ObjectPage> {
    const response = await this.http.request(
      profile.connection.id,
      {
        method: 'GET',
        path: s3Paths(profile.connection.configuration).bucket,
        query: { 'list-type': '2', prefix: query.prefix, 'max-keys': String(query.limit), ...(query.cursor ? { 'continuation-token': query.cursor } : {}) },
      },
      { tenantId, operation: 's3.listObjectsV2', metricOperation: 's3.listObjectsV2' },
    );
    if (response.status !== 200) throw s3Failure(response, 'list the objects');
    const result = (parseS3Xml(response.body).ListBucketResult ?? {}) as S3Xml;
    const items = ((result.Contents ?? []) as S3Xml[]).map((entry) => ({
      key: String(entry.Key),
      size: Number(entry.Size ?? 0),
      contentType: null,
      etag: typeof entry.ETag === 'string' ? entry.ETag : null,
      lastModified: isoOf(entry.LastModified),
    }));
    const truncated = String(result.IsTruncated) === 'true';
    return { items, nextCursor: truncated && typeof result.NextContinuationToken === 'string' ? result.NextContinuationToken : null };
  }

  /** Signed locally with the connection's key (no call to S3), recorded as a governed session. */
  async presign(location: ObjectLocation, request: { method: 'GET' | 'PUT'; expiresInSeconds: number }): Promise<PresignedUrl> {
    const { profile } = location;
    if (!profile.baseUrl) throw IntegrationError.validation('base_url_missing', `Connection ${profile.connection.id} names no S3 endpoint`);
    const url = new URL(this.objectPath(location), profile.baseUrl);
    const now = new Date();
    const { result } = await this.http.session(
      profile.connection.id,
      { tenantId: location.tenantId, operation: `s3.presign.${request.method.toLowerCase()}`, metricOperation: 's3.presign' },
      async (session) => {
        const secret = await session.secret();
        if (!secret) throw IntegrationError.auth('credential_missing', 'A presigned URL needs the connection’s access key');
        const signed = presignUrl({ method: request.method, url }, awsCredentialsOf(secret), {
          ...signingScopeOf(profile.connection.configuration),
          expiresSeconds: request.expiresInSeconds,
          now,
        });
        return { result: signed.toString() };
      },
    );
    return { url: result, method: request.method, expiresAt: new Date(now.getTime() + request.expiresInSeconds * 1000).toISOString() };
  }

  private async multipart(location: ObjectLocation, contentType: string, reader: PartReader, first: Buffer, sha256: ReturnType<typeof createHash>): Promise<StoredObject> {
    const path = this.objectPath(location);
    const created = await this.call(location, { method: 'POST', path, query: { uploads: '' }, headers: { 'content-type': contentType } }, 's3.createMultipartUpload');
    if (created.status !== 200) throw s3Failure(created, 'start a multipart upload');
    const uploadId = parseS3Xml(created.body).InitiateMultipartUploadResult?.UploadId as string | undefined;
    if (!uploadId) throw IntegrationError.transient('s3_answer_unreadable', 'S3 started a multipart upload without naming it');
    const etags: string[] = [];
    try {
      const size = await uploadInParts({
        reader,
        first,
        sha256,
        partSize: this.options.partSizeBytes,
        concurrency: this.options.partConcurrency,
        maxObjectBytes: this.options.maxObjectBytes,
        maxParts: MAX_PARTS,
        sendPart: async (number, bytes) => {
          const response = await this.call(
            location,
            { method: 'PUT', path, query: { partNumber: String(number), uploadId }, headers: integrityHeaders(bytes), body: bytes },
            's3.uploadPart',
          );
          if (response.status !== 200) throw s3Failure(response, `store part ${number}`);
          const etag = headerOf(response, 'etag');
          if (!etag) throw IntegrationError.transient('s3_answer_unreadable', `S3 stored part ${number} without its ETag`);
          etags[number - 1] = etag;
        },
      });
      const completion = `<CompleteMultipartUpload>${etags.map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      const completed = await this.call(
        location,
        { method: 'POST', path, query: { uploadId }, headers: { 'content-type': 'application/xml' }, body: completion },
        's3.completeMultipartUpload',
      );
      // S3 may answer 200 and still fail the completion: the body says so.
      const document = parseS3Xml(completed.body);
      if (completed.status !== 200 || document.Error) throw s3Failure({ ...completed, status: completed.status === 200 ? 500 : completed.status }, 'complete the multipart upload');
      const etag = (document.CompleteMultipartUploadResult?.ETag as string | undefined) ?? null;
      return { key: location.key, size, contentType, etag, lastModified: null, sha256: sha256.digest('hex') };
    } catch (error) {
      await this.abort(location, path, uploadId);
      throw error;
    }
  }

  /**
   * A multipart upload left behind costs storage until the bucket's lifecycle rule removes it: the abort
   * is tried a few times (each a run of its own) before it is given up on.
   */
  private async abort(location: ObjectLocation, path: string, uploadId: string): Promise<void> {
    for (let attempt = 1; attempt <= ABORT_ATTEMPTS; attempt++) {
      try {
        const response = await this.call(location, { method: 'DELETE', path, query: { uploadId } }, 's3.abortMultipartUpload');
        if (response.status < 500) return;
      } catch (error) {
        if (classifyError(error).category !== 'Transient' || attempt === ABORT_ATTEMPTS) {
          this.logger.warn({ msg: 'Multipart upload not aborted', connectionId: location.profile.connection.id, code: classifyError(error).code });
          return;
        }
      }
      await sleep(ABORT_BACKOFF_MS * attempt);
    }
  }

  private call(location: ObjectLocation, request: GovernedRequest, operation: string): Promise<GovernedResponse> {
    // A part, or an object up to the multipart threshold, is one body.
    const maxBodyBytes = Math.max(this.options.partSizeBytes, this.options.multipartThresholdBytes);
    return this.http.request(location.profile.connection.id, request, { tenantId: location.tenantId, operation, metricOperation: operation, maxBodyBytes });
  }

  private objectPath(location: ObjectLocation): string {
    return s3Paths(location.profile.connection.configuration).object(location.key);
  }
}

/** S3's limit on the parts of one upload. */
const MAX_PARTS = 10_000;
const ABORT_ATTEMPTS = 3;
const ABORT_BACKOFF_MS = 200;

/**
 * The bytes' Content-MD5, which S3 checks and the signature covers; the payload itself is left unsigned
 * (UNSIGNED-PAYLOAD), so the bytes are hashed once for integrity instead of twice.
 */
function integrityHeaders(bytes: Buffer): Record<string, string> {
  return { 'content-md5': md5(bytes), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
}
