import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { access, FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { blobKey, BlobProperties, BlobStore, blobWriteProperties, PutBlobOptions } from './blob-store';

/** Start of every blob file: a format tag, then the length of the JSON header that follows. */
const MAGIC = Buffer.from('BLB1');
const PREFIX_LENGTH = MAGIC.length + 4;
const MAX_HEADER_LENGTH = 64 * 1024;
/**
 * Without fsync, a put of an in-memory buffer is a copy into the page cache: done synchronously it costs
 * about 30 µs of CPU, through the thread pool (open, write, close, rename: four hops) about 120 µs, most
 * of it promise and hop overhead. Up to this size puts without `fileSync` are written synchronously, and
 * gets of files this small are read synchronously; larger ones, streams, and every put with `fileSync`
 * go through the thread pool.
 */
const SYNCHRONOUS_PUT_MAX_BYTES = 256 * 1024;

interface BlobHeader {
  name: string;
  contentType: string;
  metadata: Record<string, string>;
  etag: string;
}

export class CorruptBlobFileError extends Error {
  constructor(file: string, reason: string) {
    super(`Blob file ${file} is corrupt: ${reason}`);
    this.name = 'CorruptBlobFileError';
  }
}

/**
 * The embedded blob store: one file per blob, holding a JSON header (name, content type, metadata)
 * followed by the bytes, so data and metadata are always replaced together.
 *
 * Files live at `<root>/tenants/<tenantId>/<2 hex>/<SHA-256 of the storage key>`, not at the name
 * itself: that keeps Azure's semantics on any filesystem (case-sensitive names, `a` and `a/b` side by
 * side, long unicode names) and a tenant's blobs in one directory.
 * A put writes a temporary file in the target directory and renames it over the target: readers and
 * concurrent writers only ever see complete versions, and a reader that has opened a version keeps
 * streaming that version even when it is replaced meanwhile. With `fileSync` the file and its directory
 * are fsynced too, so a put survives power loss, not only a crash of the process.
 */
export class FilesystemBlobStore extends BlobStore {
  /** Directories this process created or found: a put into one of them skips the mkdir. */
  private readonly knownDirectories = new Set<string>();

  constructor(
    readonly root: string,
    private readonly fileSync = true,
  ) {
    super();
  }

  override async put(tenantId: string, name: string, data: Buffer | Readable, options?: PutBlobOptions): Promise<BlobProperties> {
    const file = this.fileOf(tenantId, name);
    const { contentType, metadata } = blobWriteProperties(options);
    const header: BlobHeader = { name, contentType, metadata, etag: `"${randomBytes(8).toString('hex')}"` };
    if (!this.fileSync && Buffer.isBuffer(data) && data.length <= SYNCHRONOUS_PUT_MAX_BYTES) {
      this.putSmall(file, Buffer.concat([encodeHeader(header), data]));
      return { name, contentType, metadata, size: data.length, etag: header.etag, lastModified: new Date() };
    }
    await this.ensureDirectory(dirname(file));

    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temporary, 'wx').catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      // The directory went away behind our back (removed by hand): create it again.
      this.knownDirectories.delete(dirname(file));
      await this.ensureDirectory(dirname(file));
      return open(temporary, 'wx');
    });
    let size = 0;
    try {
      const encodedHeader = encodeHeader(header);
      if (Buffer.isBuffer(data)) {
        // One write for the common case (a payload in memory): every file operation is a thread-pool hop.
        await writeFully(handle, Buffer.concat([encodedHeader, data]));
        size = data.length;
      } else {
        await writeFully(handle, encodedHeader);
        for await (const chunk of data) {
          const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
          await writeFully(handle, bytes);
          size += bytes.length;
        }
      }
      if (this.fileSync) await handle.sync();
      await handle.close();
      await rename(temporary, file);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    const lastModified = new Date();
    if (this.fileSync) await fsyncDirectory(dirname(file));
    return { name, contentType, metadata, size, etag: header.etag, lastModified };
  }

  /** The same temporary-file-and-rename protocol as the asynchronous path, in one synchronous step. */
  private putSmall(file: string, contents: Buffer): void {
    const directory = dirname(file);
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    if (!this.knownDirectories.has(directory)) {
      mkdirSync(directory, { recursive: true });
      if (this.knownDirectories.size >= MAX_KNOWN_DIRECTORIES) this.knownDirectories.clear();
      this.knownDirectories.add(directory);
    }
    let descriptor: number;
    try {
      descriptor = openSync(temporary, 'wx');
    } catch (error) {
      if (!isMissing(error)) throw error;
      // The directory went away behind our back (removed by hand): create it again.
      mkdirSync(directory, { recursive: true });
      descriptor = openSync(temporary, 'wx');
    }
    try {
      for (let offset = 0; offset < contents.length;) offset += writeSync(descriptor, contents, offset, contents.length - offset);
      closeSync(descriptor);
      renameSync(temporary, file);
    } catch (error) {
      try {
        closeSync(descriptor);
      } catch {
        // Already closed: the failure was the rename.
      }
      try {
        unlinkSync(temporary);
      } catch {
        // Never created or already gone: nothing to clean up.
      }
      throw error;
    }
  }

  override async get(tenantId: string, name: string): Promise<{ data: Buffer; properties: BlobProperties } | null> {
    const small = this.getSmall(this.fileOf(tenantId, name));
    if (small !== 'large') return small;
    const opened = await this.openBlob(tenantId, name);
    if (!opened) return null;
    try {
      const data = await opened.handle.readFile();
      return { data, properties: opened.properties };
    } finally {
      await opened.handle.close();
    }
  }

  /**
   * A blob up to SYNCHRONOUS_PUT_MAX_BYTES (the common webhook payload, usually still in the page cache)
   * is read in one synchronous step: open, fstat, read, close cost far less than their five thread-pool
   * round trips. Larger files answer 'large' and take the streaming path.
   */
  private getSmall(file: string): { data: Buffer; properties: BlobProperties } | null | 'large' {
    let descriptor: number;
    try {
      descriptor = openSync(file, 'r');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    try {
      const { size, mtime } = fstatSync(descriptor);
      if (size > SYNCHRONOUS_PUT_MAX_BYTES + MAX_HEADER_LENGTH) return 'large';
      const contents = Buffer.allocUnsafe(size);
      for (let filled = 0; filled < size;) {
        const read = readSync(descriptor, contents, filled, size - filled, filled);
        if (read === 0) throw new CorruptBlobFileError(file, 'truncated');
        filled += read;
      }
      const { header, dataOffset } = decodeHeader(contents, file);
      const data = contents.subarray(dataOffset);
      return { data, properties: { name: header.name, contentType: header.contentType, metadata: header.metadata, size: data.length, etag: header.etag, lastModified: mtime } };
    } finally {
      closeSync(descriptor);
    }
  }

  override async stream(tenantId: string, name: string): Promise<{ stream: Readable; properties: BlobProperties } | null> {
    const opened = await this.openBlob(tenantId, name);
    if (!opened) return null;
    return { stream: opened.handle.createReadStream({ start: opened.dataOffset }), properties: opened.properties };
  }

  override async exists(tenantId: string, name: string): Promise<boolean> {
    try {
      await access(this.fileOf(tenantId, name));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  override async delete(tenantId: string, name: string): Promise<boolean> {
    const file = this.fileOf(tenantId, name);
    try {
      await unlink(file);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    if (this.fileSync) await fsyncDirectory(dirname(file));
    return true;
  }

  override async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await access(this.root, constants.W_OK);
  }

  private fileOf(tenantId: string, name: string): string {
    const digest = createHash('sha256').update(blobKey(tenantId, name)).digest('hex');
    return join(this.root, 'tenants', encodeURIComponent(tenantId), digest.slice(0, 2), digest);
  }

  /** Opens the current version; the handle stays on it even if a put replaces the file afterwards. */
  private async openBlob(tenantId: string, name: string) {
    const file = this.fileOf(tenantId, name);
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    try {
      const { header, dataOffset } = await readHeader(handle, file);
      const { size, mtime } = await handle.stat();
      const properties: BlobProperties = {
        name: header.name,
        contentType: header.contentType,
        metadata: header.metadata,
        size: size - dataOffset,
        etag: header.etag,
        lastModified: mtime,
      };
      return { handle, dataOffset, properties };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Creates the directory; fsyncs every directory that gained an entry, so the new path survives a crash. */
  private async ensureDirectory(directory: string): Promise<void> {
    if (this.knownDirectories.has(directory)) return;
    const firstCreated = await mkdir(directory, { recursive: true });
    if (this.knownDirectories.size >= MAX_KNOWN_DIRECTORIES) this.knownDirectories.clear();
    this.knownDirectories.add(directory);
    if (!firstCreated || !this.fileSync) return;
    const topmostChanged = dirname(firstCreated);
    for (let current = directory; ; current = dirname(current)) {
      await fsyncDirectory(current);
      if (current === topmostChanged || current === dirname(current)) break;
    }
  }
}

const MAX_KNOWN_DIRECTORIES = 10_000;

function encodeHeader(header: BlobHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX_LENGTH);
  MAGIC.copy(prefix);
  prefix.writeUInt32BE(json.length, MAGIC.length);
  return Buffer.concat([prefix, json]);
}

/** The header of a whole blob file in memory. */
function decodeHeader(contents: Buffer, file: string): { header: BlobHeader; dataOffset: number } {
  if (contents.length < PREFIX_LENGTH) throw new CorruptBlobFileError(file, 'truncated header');
  if (!contents.subarray(0, MAGIC.length).equals(MAGIC)) throw new CorruptBlobFileError(file, 'unknown format');
  const length = contents.readUInt32BE(MAGIC.length);
  if (length > MAX_HEADER_LENGTH) throw new CorruptBlobFileError(file, 'header too large');
  if (contents.length < PREFIX_LENGTH + length) throw new CorruptBlobFileError(file, 'truncated header');
  return { header: parseHeader(contents.toString('utf8', PREFIX_LENGTH, PREFIX_LENGTH + length), file), dataOffset: PREFIX_LENGTH + length };
}

function parseHeader(json: string, file: string): BlobHeader {
  try {
    return JSON.parse(json) as BlobHeader;
  } catch {
    throw new CorruptBlobFileError(file, 'unreadable header');
  }
}

/** Reads the header and leaves the handle's position at the first data byte. */
async function readHeader(handle: FileHandle, file: string): Promise<{ header: BlobHeader; dataOffset: number }> {
  const prefix = await readExactly(handle, PREFIX_LENGTH, file);
  if (!prefix.subarray(0, MAGIC.length).equals(MAGIC)) throw new CorruptBlobFileError(file, 'unknown format');
  const length = prefix.readUInt32BE(MAGIC.length);
  if (length > MAX_HEADER_LENGTH) throw new CorruptBlobFileError(file, 'header too large');
  const json = (await readExactly(handle, length, file)).toString('utf8');
  return { header: parseHeader(json, file), dataOffset: PREFIX_LENGTH + length };
}

async function readExactly(handle: FileHandle, length: number, file: string): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, null);
    if (bytesRead === 0) throw new CorruptBlobFileError(file, 'truncated header');
    filled += bytesRead;
  }
  return buffer;
}

/** FileHandle.write may write less than asked (e.g. when the disk fills up); a short blob must never be renamed into place. */
async function writeFully(handle: FileHandle, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

async function fsyncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}
