import { formatStartBanner } from './start-banner';

describe('formatStartBanner', () => {
  const info = {
    roles: 'all',
    bootMs: 812,
    baseUrl: 'http://127.0.0.1:3000',
    docs: true,
    tokenHint: 'npm run token -- --tenant <tenant>',
    store: 'sqlite',
    dataDir: '/srv/data',
  };

  it('prints where the platform is, how to sign in and where its data lives, aligned', () => {
    const text = formatStartBanner({ ...info, grpcPort: 50051, console: { url: 'http://127.0.0.1:3000/console/#token=abc', tenantId: 'default', validForMinutes: 15 } });
    expect(text).toContain('Integration platform  roles: all · ready in 812 ms');
    expect(text).toContain('  API       http://127.0.0.1:3000\n');
    expect(text).toContain('  gRPC      127.0.0.1:50051\n');
    expect(text).toContain('  Console   http://127.0.0.1:3000/console/#token=abc  (signs in to tenant "default" for 15 min)\n');
    expect(text).toContain('  API docs  http://127.0.0.1:3000/docs\n');
    expect(text).toContain('  Data      sqlite under /srv/data\n');
    expect(text).not.toContain('\u001b[');
  });

  it('leaves out what the process does not serve, and colours only when asked', () => {
    const text = formatStartBanner({ ...info, docs: false, dataDir: undefined, store: 'postgres' }, true);
    expect(text).not.toMatch(/Console|gRPC|API docs/);
    expect(text).toContain('postgres');
    expect(text).toContain('\u001b[1mIntegration platform\u001b[0m');
  });
});
