import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobStore, BlobWriteConflictError, InvalidBlobMetadataError, InvalidBlobNameError } from '../../src/platform/blob/blob-store';

const MiB = 1024 * 1024;

/**
 * The behaviour every BlobStore adapter must have. `createStore` returns a store with nothing in it
 * (a fresh directory, a fresh container); it is called before each test.
 */
export function describeBlobStoreContract(adapter: string, createStore: () => Promise<BlobStore>): void {
  describe(`BlobStore contract: ${adapter}`, () => {
    let store: BlobStore;
    let tenant: string;

    beforeEach(async () => {
      store = await createStore();
      tenant = `tenant-${randomBytes(4).toString('hex')}`;
    });

    describe('put and get', () => {
      it('round-trips arbitrary bytes and reports the stored properties', async () => {
        const data = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, byte) => byte)), randomBytes(10_000)]);
        const stored = await store.put(tenant, 'binary.bin', data);
        expect(stored).toMatchObject({ name: 'binary.bin', contentType: 'application/octet-stream', metadata: {}, size: data.length });
        expect(stored.etag).toEqual(expect.any(String));

        const found = await store.get(tenant, 'binary.bin');
        expect(found!.data.equals(data)).toBe(true);
        expect(found!.properties).toMatchObject({ name: 'binary.bin', size: data.length, etag: stored.etag });
        expect(found!.properties.lastModified?.getTime()).toEqual(expect.any(Number));
      });

      it('round-trips an empty blob, from a buffer and from a stream', async () => {
        await store.put(tenant, 'empty-buffer', Buffer.alloc(0));
        await store.put(tenant, 'empty-stream', Readable.from([]));
        for (const name of ['empty-buffer', 'empty-stream']) {
          const found = await store.get(tenant, name);
          expect(found!.data.length).toBe(0);
          expect(found!.properties.size).toBe(0);
          expect(await store.exists(tenant, name)).toBe(true);
        }
      });

      it('round-trips 5 MiB', async () => {
        const data = randomBytes(5 * MiB);
        expect((await store.put(tenant, 'five.bin', data)).size).toBe(data.length);
        expect((await store.get(tenant, 'five.bin'))!.data.equals(data)).toBe(true);
      });

      it('keeps the content type and metadata (keys lower-cased)', async () => {
        const options = { contentType: 'application/json; charset=utf-8', metadata: { Source: 'webhook', attempt_no: '3' } };
        const expected = { contentType: 'application/json; charset=utf-8', metadata: { source: 'webhook', attempt_no: '3' } };
        expect(await store.put(tenant, 'doc.json', Buffer.from('{"a":1}'), options)).toMatchObject(expected);
        expect((await store.get(tenant, 'doc.json'))!.properties).toMatchObject(expected);
        const streamed = await store.stream(tenant, 'doc.json');
        expect(streamed!.properties).toMatchObject({ ...expected, size: 7 });
        streamed!.stream.destroy();
      });

      it('replaces bytes, content type and metadata on overwrite', async () => {
        await store.put(tenant, 'doc', Buffer.from('first version, longer'), { contentType: 'text/plain', metadata: { version: '1', old: 'yes' } });
        await store.put(tenant, 'doc', Buffer.from('second'), { contentType: 'text/csv', metadata: { version: '2' } });
        const found = await store.get(tenant, 'doc');
        expect(found!.data.toString()).toBe('second');
        expect(found!.properties).toMatchObject({ contentType: 'text/csv', metadata: { version: '2' }, size: 6 });
        expect(found!.properties.metadata).not.toHaveProperty('old');
      });

      it('accepts nested paths and unicode names, case-sensitive, in a flat namespace', async () => {
        const names = ['invoices/2024/03/rechnung-ü-日本.pdf', 'a', 'a/b', 'A', 'a/b/c.d-e_f+g=h@i~j', 'ελληνικά/ñandú'];
        for (const name of names) await store.put(tenant, name, Buffer.from(`content of ${name}`));
        for (const name of names) {
          const found = await store.get(tenant, name);
          expect(found!.data.toString()).toBe(`content of ${name}`);
          expect(found!.properties.name).toBe(name);
        }
      });
    });

    describe('streaming', () => {
      it('streams 20 MiB in and out in chunks', async () => {
        const size = 20 * MiB;
        const source = generatedStream(size);
        const stored = await store.put(tenant, 'large.bin', source.stream, { contentType: 'application/x-test' });
        expect(stored.size).toBe(size);

        const found = await store.stream(tenant, 'large.bin');
        expect(found!.properties).toMatchObject({ size, contentType: 'application/x-test' });
        const read = await digestOf(found!.stream);
        expect(read).toMatchObject({ bytes: size, sha256: source.sha256() });
        // Delivered incrementally, not as one buffer of the whole blob.
        expect(read.chunks).toBeGreaterThan(4);
        expect(read.largestChunk).toBeLessThanOrEqual(4 * MiB);
      });

      it('keeps the previous version when the source stream fails mid-way', async () => {
        await store.put(tenant, 'doc', Buffer.from('version 1'), { metadata: { version: '1' } });
        const failure = new Error('source broke');
        await expect(store.put(tenant, 'doc', failingStream(MiB, failure), { metadata: { version: '2' } })).rejects.toThrow('source broke');
        const found = await store.get(tenant, 'doc');
        expect(found!.data.toString()).toBe('version 1');
        expect(found!.properties.metadata).toEqual({ version: '1' });
        await expect(store.put(tenant, 'never-written', failingStream(MiB, failure))).rejects.toThrow('source broke');
        expect(await store.exists(tenant, 'never-written')).toBe(false);
      });
    });

    describe('missing blobs, exists and delete', () => {
      it('answers null for get and stream of a missing blob', async () => {
        expect(await store.get(tenant, 'missing')).toBeNull();
        expect(await store.stream(tenant, 'missing')).toBeNull();
        expect(await store.exists(tenant, 'missing')).toBe(false);
      });

      it('deletes once: exists turns false and a second delete answers false', async () => {
        await store.put(tenant, 'to/delete', Buffer.from('x'));
        expect(await store.exists(tenant, 'to/delete')).toBe(true);
        expect(await store.delete(tenant, 'to/delete')).toBe(true);
        expect(await store.exists(tenant, 'to/delete')).toBe(false);
        expect(await store.get(tenant, 'to/delete')).toBeNull();
        expect(await store.delete(tenant, 'to/delete')).toBe(false);
      });
    });

    describe('tenants and names', () => {
      it("isolates tenants: another tenant cannot read, see or delete a tenant's blob", async () => {
        const other = `${tenant}-other`;
        await store.put(tenant, 'secret.txt', Buffer.from('tenant A only'));
        expect(await store.get(other, 'secret.txt')).toBeNull();
        expect(await store.stream(other, 'secret.txt')).toBeNull();
        expect(await store.exists(other, 'secret.txt')).toBe(false);
        expect(await store.delete(other, 'secret.txt')).toBe(false);
        await expect(store.get(other, `../${tenant}/secret.txt`)).rejects.toBeInstanceOf(InvalidBlobNameError);
        expect((await store.get(tenant, 'secret.txt'))!.data.toString()).toBe('tenant A only');
      });

      it.each([
        ['empty', ''],
        ['leading slash', '/abs'],
        ['trailing slash', 'dir/'],
        ['empty segment', 'a//b'],
        ['parent segment', 'a/../b'],
        ['bare parent', '..'],
        ['current segment', 'a/./b'],
        ['trailing dot', 'name.'],
        ['backslash', 'a\\b'],
        ['NUL', 'a\u0000b'],
        ['control character', 'a\nb'],
        ['space', 'a b'],
        ['URL syntax', 'a?b#c'],
        ['percent', 'a%2Fb'],
        ['too long', 'x'.repeat(513)],
      ])('rejects a name with %s', async (_case, name) => {
        await expect(store.put(tenant, name, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidBlobNameError);
        await expect(store.get(tenant, name)).rejects.toBeInstanceOf(InvalidBlobNameError);
        await expect(store.stream(tenant, name)).rejects.toBeInstanceOf(InvalidBlobNameError);
        await expect(store.exists(tenant, name)).rejects.toBeInstanceOf(InvalidBlobNameError);
        await expect(store.delete(tenant, name)).rejects.toBeInstanceOf(InvalidBlobNameError);
      });

      it('accepts a name of the maximum length', async () => {
        const name = `${'d'.repeat(200)}/${'n'.repeat(311)}`;
        await store.put(tenant, name, Buffer.from('long'));
        expect((await store.get(tenant, name))!.data.toString()).toBe('long');
      });

      it.each([
        ['empty', ''],
        ['slash', 'a/b'],
        ['parent', '..'],
        ['leading dot', '.hidden'],
        ['too long', 't'.repeat(129)],
      ])('rejects a tenant id that is %s', async (_case, badTenant) => {
        await expect(store.put(badTenant, 'name', Buffer.from('x'))).rejects.toBeInstanceOf(InvalidBlobNameError);
        await expect(store.get(badTenant, 'name')).rejects.toBeInstanceOf(InvalidBlobNameError);
      });

      it('rejects metadata and content types Azure cannot carry', async () => {
        const put = (options: Parameters<BlobStore['put']>[3]) => store.put(tenant, 'doc', Buffer.from('x'), options);
        await expect(put({ metadata: { 'not-an-identifier': 'x' } })).rejects.toBeInstanceOf(InvalidBlobMetadataError);
        await expect(put({ metadata: { key: 'naïve' } })).rejects.toBeInstanceOf(InvalidBlobMetadataError);
        await expect(put({ metadata: { key: ' padded ' } })).rejects.toBeInstanceOf(InvalidBlobMetadataError);
        await expect(put({ metadata: { key: '' } })).rejects.toBeInstanceOf(InvalidBlobMetadataError);
        await expect(put({ metadata: { Key: 'a', key: 'b' } })).rejects.toBeInstanceOf(InvalidBlobMetadataError);
        await expect(put({ metadata: { big: 'x'.repeat(9000) } })).rejects.toBeInstanceOf(InvalidBlobMetadataError);
        await expect(put({ contentType: 'text/plain\r\nx-injected: 1' })).rejects.toBeInstanceOf(InvalidBlobMetadataError);
        expect(await store.exists(tenant, 'doc')).toBe(false);
      });
    });

    it('leaves one complete version after concurrent puts to one name', async () => {
      const writers = 8;
      const size = 3 * MiB;
      const results = await Promise.allSettled(
        Array.from({ length: writers }, (_, writer) => {
          const metadata = { writer: String(writer) };
          // Half the writers send buffers, half stream in small chunks so the writes interleave.
          const data = writer % 2 === 0 ? Buffer.alloc(size, writer) : Readable.from(chunksOf(Buffer.alloc(size, writer), 64 * 1024));
          return store.put(tenant, 'contended', data, { metadata });
        }),
      );
      const succeeded = results.flatMap((result, writer) => (result.status === 'fulfilled' ? [writer] : []));
      expect(succeeded.length).toBeGreaterThan(0);
      // Only a streamed put may lose the race, and only with the documented error.
      results.forEach((result, writer) => {
        if (result.status === 'rejected') {
          expect(writer % 2).toBe(1);
          expect(result.reason).toBeInstanceOf(BlobWriteConflictError);
        }
      });

      const found = await store.get(tenant, 'contended');
      const winner = Number(found!.properties.metadata.writer);
      expect(succeeded).toContain(winner);
      expect(found!.data.length).toBe(size);
      expect(found!.data.equals(Buffer.alloc(size, winner))).toBe(true);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

/** A lazily generated random stream; `sha256()` is the digest of what it produced, once read to the end. */
export function generatedStream(totalBytes: number, chunkSize = 64 * 1024): { stream: Readable; sha256(): string } {
  const hash = createHash('sha256');
  let remaining = totalBytes;
  const stream = new Readable({
    highWaterMark: chunkSize,
    read() {
      if (remaining === 0) return void this.push(null);
      const chunk = randomBytes(Math.min(chunkSize, remaining));
      remaining -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, sha256: () => hash.copy().digest('hex') };
}

/** Emits `bytesBeforeFailure` bytes, then fails with `error`. */
export function failingStream(bytesBeforeFailure: number, error: Error): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytesBeforeFailure) return void this.destroy(error);
      const chunk = randomBytes(Math.min(64 * 1024, bytesBeforeFailure - sent));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

export async function digestOf(stream: Readable): Promise<{ bytes: number; sha256: string; chunks: number; largestChunk: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let chunks = 0;
  let largestChunk = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
    chunks += 1;
    largestChunk = Math.max(largestChunk, buffer.length);
  }
  return { bytes, sha256: hash.digest('hex'), chunks, largestChunk };
}

function* chunksOf(data: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}
