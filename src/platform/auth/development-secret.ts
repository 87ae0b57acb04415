import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Where the embedded default keeps its generated HS256 secret. */
export function developmentSecretPath(dataDir: string): string {
  return resolve(dataDir, 'auth', 'jwt-hs256.secret');
}

/**
 * Reads the generated development secret, creating it (mode 0600, 48 random bytes, base64url) when
 * absent. The file is written whole under a temporary name and hard-linked into place, which fails if
 * another process got there first: processes starting together all end up with the same secret.
 */
export function ensureDevelopmentSecret(dataDir: string): { secret: string; path: string; created: boolean } {
  const path = developmentSecretPath(dataDir);
  let created = false;
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, randomBytes(48).toString('base64url'), { mode: 0o600 });
    try {
      linkSync(temporary, path);
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temporary);
    }
  }
  return { secret: readFileSync(path, 'utf8').trim(), path, created };
}
