import type { AzureCredentials } from '../azure/azure-credentials';
import { BlobServiceClient, BlockBlobClient, ContainerClient, RestError } from '@azure/storage-blob';
import { Logger } from '@nestjs/common';
import { Readable, Transform } from 'node:stream';
import { blobKey, BlobProperties, BlobStore, BlobWriteConflictError, blobWriteProperties, DEFAULT_CONTENT_TYPE, PutBlobOptions } from './blob-store';
import type { BlobOptions } from './blob.options';

/** Streamed uploads stage blocks of this size, at most this many at once: memory stays bounded per put. */
const UPLOAD_BLOCK_SIZE = 4 * 1024 * 1024;
const UPLOAD_CONCURRENCY = 4;
/** A download that breaks mid-way resumes from the last byte, pinned to the same version (ETag). */
const DOWNLOAD_RESUMES = 5;

export interface AzureBlobStoreSettings {
  /** Create the container on first use when it is missing. */
  createContainer: boolean;
}

/** The production blob store: one Azure Blob Storage container, blobs named `tenants/<tenantId>/<name>`. */
export class AzureBlobStore extends BlobStore {
  private readonly logger = new Logger(AzureBlobStore.name);
  private containerReady?: Promise<void>;

  constructor(
    readonly container: ContainerClient,
    private readonly settings: AzureBlobStoreSettings,
  ) {
    super();
  }

  /** Connection string when given, otherwise the account URL with DefaultAzureCredential (managed / workload identity). */
  static async fromOptions(options: BlobOptions, production: boolean, azure: AzureCredentials): Promise<AzureBlobStore> {
    const service = options.connectionString ? BlobServiceClient.fromConnectionString(options.connectionString) : new BlobServiceClient(options.accountUrl!, await azure.get());
    return new AzureBlobStore(service.getContainerClient(options.container), { createContainer: options.shouldCreateContainer(production) });
  }

  override async put(tenantId: string, name: string, data: Buffer | Readable, options?: PutBlobOptions): Promise<BlobProperties> {
    const blob = this.blockBlob(tenantId, name);
    const { contentType, metadata } = blobWriteProperties(options);
    await this.ensureContainer();
    const upload = { blobHTTPHeaders: { blobContentType: contentType }, metadata };
    if (Buffer.isBuffer(data)) {
      const response = await blob.uploadData(data, upload);
      return { name, contentType, metadata, size: data.length, etag: response.etag, lastModified: response.lastModified };
    }
    const counter = byteCounter();
    data.once('error', (error) => counter.destroy(error));
    let response;
    try {
      response = await blob.uploadStream(data.pipe(counter), UPLOAD_BLOCK_SIZE, UPLOAD_CONCURRENCY, upload);
    } catch (error) {
      data.unpipe(counter);
      data.destroy();
      if (error instanceof RestError && errorCode(error) === 'InvalidBlockList') throw new BlobWriteConflictError(tenantId, name);
      throw error;
    }
    return { name, contentType, metadata, size: counter.bytes, etag: response.etag, lastModified: response.lastModified };
  }

  override async get(tenantId: string, name: string): Promise<{ data: Buffer; properties: BlobProperties } | null> {
    const found = await this.stream(tenantId, name);
    if (!found) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of found.stream) chunks.push(chunk as Buffer);
    return { data: Buffer.concat(chunks), properties: found.properties };
  }

  override async stream(tenantId: string, name: string): Promise<{ stream: Readable; properties: BlobProperties } | null> {
    const blob = this.blockBlob(tenantId, name);
    await this.ensureContainer();
    try {
      // One GET returns the bytes and the properties of the same version.
      const response = await blob.download(0, undefined, { maxRetryRequests: DOWNLOAD_RESUMES });
      const properties: BlobProperties = {
        name,
        contentType: response.contentType ?? DEFAULT_CONTENT_TYPE,
        metadata: response.metadata ?? {},
        size: response.contentLength ?? 0,
        etag: response.etag,
        lastModified: response.lastModified,
      };
      return { stream: (response.readableStreamBody as Readable | undefined) ?? Readable.from([]), properties };
    } catch (error) {
      if (isBlobNotFound(error)) return null;
      throw error;
    }
  }

  override async exists(tenantId: string, name: string): Promise<boolean> {
    const blob = this.blockBlob(tenantId, name);
    await this.ensureContainer();
    try {
      await blob.getProperties();
      return true;
    } catch (error) {
      if (isBlobNotFound(error)) return false;
      throw error;
    }
  }

  override async delete(tenantId: string, name: string): Promise<boolean> {
    const blob = this.blockBlob(tenantId, name);
    await this.ensureContainer();
    const { succeeded } = await blob.deleteIfExists({ deleteSnapshots: 'include' });
    return succeeded;
  }

  override async ping(): Promise<void> {
    await this.ensureContainer();
    try {
      await this.container.getProperties();
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) {
        throw new Error(`Blob container "${this.container.containerName}" does not exist (create it, or set AZURE_STORAGE_CREATE_CONTAINER=true)`, { cause: error });
      }
      throw error;
    }
  }

  private blockBlob(tenantId: string, name: string): BlockBlobClient {
    return this.container.getBlockBlobClient(blobKey(tenantId, name));
  }

  /** Once per process when configured; a failed attempt is retried by the next call. */
  private ensureContainer(): Promise<void> {
    if (!this.settings.createContainer) return Promise.resolve();
    this.containerReady ??= this.container.createIfNotExists().then(
      ({ succeeded }) => {
        if (succeeded) this.logger.log({ msg: 'Blob container created', container: this.container.containerName });
      },
      (error: unknown) => {
        this.containerReady = undefined;
        throw error;
      },
    );
    return this.containerReady;
  }
}

/** A 404 for the blob itself; a missing container (ContainerNotFound) is a deployment problem and stays an error. */
function isBlobNotFound(error: unknown): boolean {
  return error instanceof RestError && error.statusCode === 404 && errorCode(error) === 'BlobNotFound';
}

function errorCode(error: RestError): string | undefined {
  return (error.details as { errorCode?: string } | undefined)?.errorCode;
}

function byteCounter(): Transform & { bytes: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counter.bytes += chunk.length;
      done(null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}
