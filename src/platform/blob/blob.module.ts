import { Global, Logger, Module, OnModuleInit } from '@nestjs/common';
import { resolve } from 'node:path';
import { AzureCredentials } from '../azure/azure-credentials';
import { provideOptions } from '../config/options.provider';
import { RuntimeOptions } from '../config/runtime.options';
import { ReadinessChecks } from '../health/readiness-checks';
import { BlobStore } from './blob-store';
import { BlobOptions } from './blob.options';
import { FilesystemBlobStore } from './filesystem-blob-store';

const logger = new Logger('BlobStore');

/** The Azure SDK is only loaded when Azure is configured, so the embedded default does not pay for it at boot. */
async function createBlobStore(options: BlobOptions, runtime: RuntimeOptions, azure: AzureCredentials): Promise<BlobStore> {
  if (options.backend === 'azure') {
    const { AzureBlobStore } = await import('./azure-blob-store');
    const store = await AzureBlobStore.fromOptions(options, runtime.production, azure);
    logger.log({ msg: 'Blob store: Azure Blob Storage', account: store.container.accountName, container: options.container });
    return store;
  }
  const directory = resolve(runtime.dataDir, options.blobDir);
  logger.log({ msg: 'Blob store: files', directory, fileSync: options.fileSync });
  return new FilesystemBlobStore(directory, options.fileSync);
}

/** The blob port: Azure Blob Storage when configured (BlobOptions.backend), files under DATA_DIR otherwise. */
@Global()
@Module({
  providers: [provideOptions(BlobOptions), { provide: BlobStore, inject: [BlobOptions, RuntimeOptions, AzureCredentials], useFactory: createBlobStore }],
  exports: [BlobOptions, BlobStore],
})
export class BlobModule implements OnModuleInit {
  constructor(
    private readonly store: BlobStore,
    private readonly options: BlobOptions,
    private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.readiness.register('blob', async () => {
      await this.store.ping();
      return { backend: this.options.backend };
    });
  }
}
