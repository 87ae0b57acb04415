import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { S3ObjectStore } from './aws/s3-object-store';
import { AzureBlobObjectStore } from './azure/azure-blob-object-store';
import { CloudProviderAdapterOptions } from './cloud-provider-adapter.options';
import { OBJECT_STORE_PROVIDERS, ObjectStorage } from './object-storage/object-storage';
import { ObjectsController } from './object-storage/objects.controller';

/** The CloudProviderAdapterService role: object storage behind one port, `/cloud/connections/{id}/objects`. */
@Module({
  controllers: [ObjectsController],
  providers: [
    provideOptions(CloudProviderAdapterOptions),
    S3ObjectStore,
    AzureBlobObjectStore,
    { provide: OBJECT_STORE_PROVIDERS, useFactory: (s3: S3ObjectStore, azure: AzureBlobObjectStore) => [s3, azure], inject: [S3ObjectStore, AzureBlobObjectStore] },
    ObjectStorage,
  ],
  exports: [CloudProviderAdapterOptions],
})
export class CloudProviderAdapterModule {
  static readonly options = [CloudProviderAdapterOptions];
  /** Object uploads stream through to the cloud: their bodies are never buffered. */
  static readonly streamBodyRoutes = ['/cloud/connections/:id/objects/'];
}
