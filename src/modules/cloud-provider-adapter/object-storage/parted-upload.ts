import type { Hash } from 'node:crypto';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import type { PartReader } from './part-reader';

export interface PartedUpload {
  readonly reader: PartReader;
  /** What the provider read before it knew the object was large (threshold + 1 bytes), already hashed. */
  readonly first: Buffer;
  /** The whole object's SHA-256, fed every byte read here. */
  readonly sha256: Hash;
  readonly partSize: number;
  readonly concurrency: number;
  readonly maxObjectBytes: number;
  /** The cloud's own limit on parts (S3 10,000, Azure 50,000 blocks). */
  readonly maxParts: number;
  /** Sends one part (numbered from 1); throws an IntegrationError when the cloud refuses it. */
  sendPart(number: number, bytes: Buffer): Promise<void>;
}

/**
 * The rest of a large upload cut into whole parts (all but the last exactly `partSize`, as both clouds
 * require), up to `concurrency` of them in flight: the upload holds about partSize × (concurrency + 1).
 * The first failure stops it once the parts in flight have settled; the provider then cleans up (S3
 * aborts its upload; Azure never commits its staged blocks) and is told by the throw. Answers the size.
 */
export async function uploadInParts(upload: PartedUpload): Promise<number> {
  const { reader, sha256, partSize } = upload;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let size = 0;
  let number = 0;
  let pending = upload.first;
  try {
    for (;;) {
      if (pending.length < partSize) {
        const more = await reader.read(partSize - pending.length);
        if (more) {
          sha256.update(more);
          pending = pending.length === 0 ? more : Buffer.concat([pending, more]);
        }
      }
      if (pending.length === 0 || failure !== undefined) break;
      const part = pending.subarray(0, partSize);
      pending = pending.subarray(part.length);
      size += part.length;
      if (size > upload.maxObjectBytes) throw IntegrationError.validation('object_too_large', `The object is larger than CLOUD_MAX_OBJECT_BYTES (${upload.maxObjectBytes} bytes)`);
      if (number >= upload.maxParts)
        throw IntegrationError.validation('object_too_large', `The object needs more than ${upload.maxParts} parts of CLOUD_PART_SIZE (${partSize} bytes)`);
      while (inFlight.size >= upload.concurrency) await Promise.race(inFlight);
      const sending = upload.sendPart(++number, part).catch((error: unknown) => {
        failure ??= error;
      });
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    return size;
  } catch (error) {
    // The rest of the body is not wanted (the cloud failed while the client was still sending).
    reader.discard();
    await Promise.allSettled(inFlight);
    throw error;
  }
}
