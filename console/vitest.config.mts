import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The console's component tests (jsdom): `npx vitest run --config console/vitest.config.mts`; `npm test` runs them before jest. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  oxc: { jsx: { runtime: 'automatic' } },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
    restoreMocks: true,
    pool: 'threads',
    maxWorkers: 2,
  },
});
