import type { Repository } from 'typeorm';
import type { DistributedLock } from '../../cache/cache.ports';
import type { SecretStore } from '../../secrets/secret-store';
import type { IntegrationCredential } from '../entities/integration-credential.entity';
import type { OAuthToken } from '../entities/oauth-token.entity';
import type { IntegrationsOptions } from '../integrations.options';
import { SharedTokens } from './shared-tokens';

/** In-memory stand-ins for the token rows, the secret store and the lock, with one secret read that can be held back. */
function harness() {
  const rows = new Map<string, OAuthToken>();
  const values = new Map<string, string>();
  let held: { release: () => void; started: Promise<void> } | undefined;
  let versions = 0;
  const repository = {
    findOneBy: async ({ id }: { id: string }) => (rows.has(id) ? { ...rows.get(id)! } : null),
    update: async ({ id, secretVersion }: { id: string; secretVersion: string }, patch: Partial<OAuthToken>) => {
      const row = rows.get(id);
      if (row && row.secretVersion === secretVersion) Object.assign(row, patch);
    },
    create: (row: OAuthToken) => row,
    save: async (row: OAuthToken) => rows.set(row.id, { ...row }),
  };
  const secrets = {
    get: async (name: string, version: string) => {
      if (held) {
        const gate = held;
        held = undefined;
        await gate.started;
      }
      return { name, version, enabled: true, createdAt: new Date(), value: values.get(version)! };
    },
    set: async (name: string, value: string) => {
      const version = String(++versions).padStart(32, '0');
      values.set(version, value);
      return { name, version, enabled: true, createdAt: new Date() };
    },
  };
  const lock = { acquire: async () => ({ release: async () => true, extend: async () => true }) };
  const options = { oauthRefreshLeewayMs: 0, oauthRefreshWaitMs: 2000 } as IntegrationsOptions;
  return {
    /** One replica: its own memory, the rows and secrets every replica shares. */
    replica: () => new SharedTokens(repository as unknown as Repository<OAuthToken>, secrets as unknown as SecretStore, lock as unknown as DistributedLock, options),
    /** The next secret read waits until the returned function is called. */
    holdNextRead(): () => void {
      let release!: () => void;
      held = { release: () => release(), started: new Promise<void>((resolve) => (release = resolve)) };
      return held.release;
    },
  };
}

describe('SharedTokens', () => {
  const key = { credential: { id: 'cred-1', tenantId: 'tenant-1' } as IntegrationCredential, purpose: 'refresh_token\nhttps://auth.example/token\n' };
  const mint = (value: string) => async () => ({ value, expiresAt: Date.now() + 3_600_000 });

  it('mints once and shares the token until it is forgotten', async () => {
    const tokens = harness().replica();
    expect(await tokens.token(key, mint('first'))).toBe('first');
    expect(await tokens.token(key, mint('unused'))).toBe('first');
    await tokens.forget(key, 'first');
    expect(await tokens.token(key, mint('second'))).toBe('second');
    // A caller still holding the first token forgets it late: the renewal stays.
    await tokens.forget(key, 'first');
    expect(await tokens.token(key, mint('unused'))).toBe('second');
  });

  it('does not hand out (or remember) a token forgotten while a read of the store was under way', async () => {
    const { replica, holdNextRead } = harness();
    await replica().token(key, mint('first'));
    // A replica with the row but not the token in memory reads the store; the vendor's 401 is forgotten meanwhile.
    const reader = replica();
    const release = holdNextRead();
    const reading = reader.token(key, mint('renewed'));
    await reader.forget(key, 'first');
    release();
    expect(await reading).toBe('renewed');
    expect(await reader.token(key, mint('unused'))).toBe('renewed');
  });
});
