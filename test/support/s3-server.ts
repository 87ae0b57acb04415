import crypto, { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SigV4VerifyingProxy } from './sigv4-verifying-proxy';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- s3rver is CommonJS without types
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> };

/** A key pair of s3rver's account (registered below): it checks every request's Signature Version 4 against it. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'AKIAFACTORYTEST01', secretAccessKey: `s3-secret-${randomBytes(12).toString('hex')}` };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- s3rver's account registry, CommonJS
(require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } }).DUMMY_ACCOUNT.createKeyPair(
  S3RVER_CREDENTIALS.accessKeyId,
  S3RVER_CREDENTIALS.secretAccessKey,
);

/**
 * s3rver signs its continuation tokens with single DES, which OpenSSL 3 (Node 20) no longer offers by
 * default: triple DES with the key three times over is the same cipher, and is offered.
 */
const createCipheriv = crypto.createCipheriv;
const createDecipheriv = crypto.createDecipheriv;
const tripled = (key: crypto.CipherKey): Buffer => Buffer.concat([Buffer.from(key as Buffer), Buffer.from(key as Buffer), Buffer.from(key as Buffer)]);
Object.assign(crypto, {
  createCipheriv: (algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null, options?: never) =>
    algorithm === 'des' ? createCipheriv('des-ede3-cbc', tripled(key), iv) : createCipheriv(algorithm, key, iv, options),
  createDecipheriv: (algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null, options?: never) =>
    algorithm === 'des' ? createDecipheriv('des-ede3-cbc', tripled(key), iv) : createDecipheriv(algorithm, key, iv, options),
});

/**
 * A real S3-protocol server (s3rver) on a free port, with the given buckets, its data in a temporary
 * directory, behind a proxy that checks every request's Signature Version 4 (s3rver itself checks only
 * the access key). `url` is the proxy's; `client` is AWS's own S3 client on it.
 */
export async function startS3Server(buckets: readonly string[]): Promise<{ url: string; client: S3Client; proxy: SigV4VerifyingProxy; close(): Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })), allowMismatchedSignatures: false });
  const { port } = await server.run();
  const proxy = await SigV4VerifyingProxy.start(`http://127.0.0.1:${port}`, S3RVER_CREDENTIALS);
  const client = new S3Client({ endpoint: proxy.url, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  return {
    url: proxy.url,
    client,
    proxy,
    close: async () => {
      client.destroy();
      await proxy.close();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
