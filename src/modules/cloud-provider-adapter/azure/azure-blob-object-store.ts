import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ConnectionProfile } from '../../../platform/integrations/connections/connection-profile';
import { GovernedHttpClient, type GovernedResponse } from '../../../platform/integrations/governed/governed-http-client';
import type { GovernedRequest } from '../../../platform/integrations/governed/governed-request';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
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
import { azureFailure, parseAzureXml, type AzureXml } from './azure-blob-answers';
import { blobSasUrl } from './azure-blob-sas';
import { azureBlobConfigurationOf, azureBlobPaths } from './azure-blob.configuration';
import { AZURE_STORAGE_SHARED_KEY_AUTH_MODE, azureSharedKeyOf } from './azure-storage.strategies';

/** A block blob holds at most 50,000 blocks. */
const MAX_BLOCKS = 50_000;

/**
 * Azure Blob Storage over its REST API, authenticated by the connection's auth strategy (Shared Key or
 * Entra ID). An object up to CLOUD_MULTIPART_THRESHOLD is one Put Blob; a larger one (or one of unknown
 * length) is staged in CLOUD_PART_SIZE blocks, CLOUD_PART_CONCURRENCY at a time, then committed by Put
 * Block List. Blocks of a failed upload are never committed: the blob stays as it was and Azure discards
 * uncommitted blocks (after a week at the latest), so there is nothing to abort. Every block carries its
 * Content-MD5, which Azure checks; the whole object's SHA-256 is computed as it streams through.
 */
@Injectable()
export class AzureBlobObjectStore implements ObjectStoreProvider {
  readonly providerId = 'azure';

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
        {
          method: 'PUT',
          path: this.blobPath(location),
          headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': object.contentType, 'content-md5': md5(first) },
          body: first,
        },
        'azure.putBlob',
      );
      if (response.status !== 201) throw azureFailure(response, 'store the object');
      return {
        key: location.key,
        size: first.length,
        contentType: object.contentType,
        etag: headerOf(response, 'etag'),
        lastModified: isoOf(headerOf(response, 'last-modified')),
        sha256: sha256.digest('hex'),
      };
    }
    return this.inBlocks(location, object.contentType, reader, first, sha256);
  }

  async get(location: ObjectLocation, range?: ByteRange): Promise<ObjectDownload | null> {
    const headers: Record<string, string> = range ? { 'x-ms-range': `bytes=${range.start}-${range.end ?? ''}` } : {};
    const answer = await this.http.stream(
      location.profile.connection.id,
      { method: 'GET', path: this.blobPath(location), headers },
      { tenantId: location.tenantId, operation: 'azure.getBlob', metricOperation: 'azure.getBlob' },
    );
    if (!answer.streaming) {
      if (answer.status === 404) return null;
      throw azureFailure(answer, 'read the object');
    }
    return downloadOf(location.key, answer.stream);
  }

  async head(location: ObjectLocation): Promise<ObjectProperties | null> {
    const response = await this.call(location, { method: 'HEAD', path: this.blobPath(location) }, 'azure.getBlobProperties');
    if (response.status === 404) return null;
    if (response.status !== 200) throw azureFailure(response, 'read the object’s properties');
    return propertiesOf(location.key, response);
  }

  async delete(location: ObjectLocation): Promise<boolean> {
    const response = await this.call(location, { method: 'DELETE', path: this.blobPath(location) }, 'azure.deleteBlob');
    if (response.status === 404) return false;
    if (response.status !== 202) throw azureFailure(response, 'delete the object');
    return true;
  }

  async list(tenantId: string, profile: ConnectionProfile, query: { prefix: string; cursor?: string; limit: number }): Promise<ObjectPage> {
    const response = await this.http.request(
      profile.connection.id,
      {
        method: 'GET',
        path: azureBlobPaths(profile.connection.configuration).container,
        query: {
          restype: 'container',
          comp: 'list',
          maxresults: String(query.limit),
          ...(query.prefix ? { prefix: query.prefix } : {}),
          ...(query.cursor ? { marker: query.cursor } : {}),
        },
      },
      { tenantId, operation: 'azure.listBlobs', metricOperation: 'azure.listBlobs' },
    );
    if (response.status !== 200) throw azureFailure(response, 'list the objects');
    const result = (parseAzureXml(response.body).EnumerationResults ?? {}) as AzureXml;
    const blobs = ((result.Blobs as AzureXml | undefined)?.Blob ?? []) as AzureXml[];
    const items = blobs.map((blob) => {
      const properties = (blob.Properties ?? {}) as AzureXml;
      const etag = typeof properties.Etag === 'string' ? properties.Etag : null;
      return {
        key: String(blob.Name),
        size: Number(properties['Content-Length'] ?? 0),
        contentType: typeof properties['Content-Type'] === 'string' && properties['Content-Type'] !== '' ? properties['Content-Type'] : null,
        // Listed unquoted, answered quoted in the blob's own headers: quoted here too.
        etag: etag && !etag.startsWith('"') ? `"${etag}"` : etag,
        lastModified: isoOf(properties['Last-Modified']),
      };
    });
    const next = result.NextMarker;
    return { items, nextCursor: typeof next === 'string' && next !== '' ? next : null };
  }

  /** A service SAS signed locally with the account key (no call to Azure), recorded as a governed session. */
  async presign(location: ObjectLocation, request: { method: 'GET' | 'PUT'; expiresInSeconds: number }): Promise<PresignedUrl> {
    const { profile } = location;
    if (profile.auth !== AZURE_STORAGE_SHARED_KEY_AUTH_MODE) {
      throw IntegrationError.validation(
        'azure_presign_needs_account_key',
        `Connection ${profile.connection.id} authenticates with ${profile.auth}: presigned URLs are signed with the account key (auth ${AZURE_STORAGE_SHARED_KEY_AUTH_MODE}); user delegation SAS is not supported`,
      );
    }
    if (!profile.baseUrl) throw IntegrationError.validation('base_url_missing', `Connection ${profile.connection.id} names no storage account`);
    const { configuration } = profile.connection;
    const url = new URL(this.blobPath(location), profile.baseUrl);
    const now = new Date();
    const { result } = await this.http.session(
      profile.connection.id,
      { tenantId: location.tenantId, operation: `azure.presign.${request.method.toLowerCase()}`, metricOperation: 'azure.presign' },
      async (session) => {
        const secret = await session.secret();
        if (!secret) throw IntegrationError.auth('credential_missing', 'A presigned URL needs the connection’s account key');
        const signed = blobSasUrl(
          { url, container: azureBlobConfigurationOf(configuration).container, blob: location.key, method: request.method, expiresSeconds: request.expiresInSeconds, now },
          azureSharedKeyOf(configuration, secret),
        );
        return { result: signed.toString() };
      },
    );
    return {
      url: result,
      method: request.method,
      expiresAt: new Date(now.getTime() + request.expiresInSeconds * 1000).toISOString(),
      // Put Blob needs the blob's type: whoever uses the URL must send it.
      ...(request.method === 'PUT' ? { headers: { 'x-ms-blob-type': 'BlockBlob' } } : {}),
    };
  }

  private async inBlocks(location: ObjectLocation, contentType: string, reader: PartReader, first: Buffer, sha256: ReturnType<typeof createHash>): Promise<StoredObject> {
    const path = this.blobPath(location);
    // Block ids are the same length for a blob, and this upload's own: a concurrent upload of the same key stages blocks of other ids.
    const upload = randomBytes(12).toString('hex');
    const blockId = (index: number) => Buffer.from(`${upload}-${String(index).padStart(5, '0')}`).toString('base64');
    const ids: string[] = [];
    // The staged blocks of a failed upload are never committed: Azure discards them, and the blob is as it was.
    const size = await uploadInParts({
      reader,
      first,
      sha256,
      partSize: this.options.partSizeBytes,
      concurrency: this.options.partConcurrency,
      maxObjectBytes: this.options.maxObjectBytes,
      maxParts: MAX_BLOCKS,
      sendPart: async (number, bytes) => {
        const id = blockId(number - 1);
        ids[number - 1] = id;
        const response = await this.call(
          location,
          { method: 'PUT', path, query: { comp: 'block', blockid: id }, headers: { 'content-md5': md5(bytes) }, body: bytes },
          'azure.putBlock',
        );
        if (response.status !== 201) throw azureFailure(response, `store block ${number}`);
      },
    });
    const blockList = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${escapeXml(id)}</Latest>`).join('')}</BlockList>`;
    const committed = await this.call(
      location,
      { method: 'PUT', path, query: { comp: 'blocklist' }, headers: { 'content-type': 'application/xml', 'x-ms-blob-content-type': contentType }, body: blockList },
      'azure.putBlockList',
    );
    if (committed.status !== 201) throw azureFailure(committed, 'commit the blocks');
    return { key: location.key, size, contentType, etag: headerOf(committed, 'etag'), lastModified: isoOf(headerOf(committed, 'last-modified')), sha256: sha256.digest('hex') };
  }

  private call(location: ObjectLocation, request: GovernedRequest, operation: string): Promise<GovernedResponse> {
    // A block, or an object up to the multipart threshold, is one body.
    const maxBodyBytes = Math.max(this.options.partSizeBytes, this.options.multipartThresholdBytes);
    return this.http.request(location.profile.connection.id, request, { tenantId: location.tenantId, operation, metricOperation: operation, maxBodyBytes });
  }

  private blobPath(location: ObjectLocation): string {
    return azureBlobPaths(location.profile.connection.configuration).blob(location.key);
  }
}
