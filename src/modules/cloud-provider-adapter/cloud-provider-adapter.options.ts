import { bytes, duration, int } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

const MIB = 1024 * 1024;

@OptionsSection('Cloud provider adapter', 'Options of the CloudProviderAdapterService role (object storage)')
export class CloudProviderAdapterOptions {
  @Env('CLOUD_MULTIPART_THRESHOLD', bytes({ min: 5 * MIB, max: 5 * 1024 * MIB }), {
    default: 16 * MIB,
    description: 'Objects larger than this, or of unknown length, are uploaded in parts (S3 multipart, Azure blocks)',
  })
  readonly multipartThresholdBytes: number;

  @Env('CLOUD_PART_SIZE', bytes({ min: 5 * MIB, max: 512 * MIB }), {
    default: 8 * MIB,
    description: 'Size of one uploaded part (S3 needs at least 5 MiB for every part but the last)',
  })
  readonly partSizeBytes: number;

  @Env('CLOUD_PART_CONCURRENCY', int({ min: 1, max: 16 }), { default: 4, description: 'Parts of one upload in flight at once (memory: about part size × (this + 1))' })
  readonly partConcurrency: number;

  @Env('CLOUD_MAX_OBJECT_BYTES', bytes({ min: MIB }), { default: 5 * 1024 * MIB, description: 'Largest object accepted by PUT (413 above it)' })
  readonly maxObjectBytes: number;

  @Env('CLOUD_PRESIGN_MAX_EXPIRY', duration({ min: 1000, max: 604_800_000 }), { default: 3_600_000, description: 'Longest expiry a presigned URL may be given' })
  readonly presignMaxExpiryMs: number;
}
