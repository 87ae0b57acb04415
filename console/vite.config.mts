import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The operator console: a React SPA served by the platform under /console, built into dist/console.
 * No React plugin: Vite's own oxc transform compiles TSX with the automatic JSX runtime.
 * `npx vite --config console/vite.config.mts` serves it for development, proxying the API to CONSOLE_API (default http://127.0.0.1:3999).
 */
const api = process.env.CONSOLE_API ?? 'http://127.0.0.1:3999';
const proxied = ['/integrations', '/webhooks', '/auth', '/live', '/mcp', '/console/config.json'];

export default defineConfig({
  root,
  base: '/console/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: { proxy: Object.fromEntries(proxied.map((path) => [path, { target: api, changeOrigin: false }])) },
});
