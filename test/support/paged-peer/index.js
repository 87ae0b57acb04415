// A small vendor API that pages a list of records, and the vendor descriptor whose sync source reads it.
// Plain CommonJS so the integration tests (TypeScript), the platform launcher (a child process running
// dist/) and the sync benchmark share it. Wire format:
//   GET /items?page=N&per_page=P[&since=ISO]  ->  {"items": [...], "next": "N+1" | null}
//   each page carries an ETag; If-None-Match with it answers 304 and no body.
//   GET /health  ->  {"ok": true}
// Every call needs `Authorization: Bearer <token>`. Records are ordered by id; a deleted record is absent.
'use strict';
const { createHash } = require('node:crypto');
const http = require('node:http');

const DEFAULT_PER_PAGE = 100;

/**
 * Starts the peer. `records` (default 0) seeds that many records `r000001`…; `delayMs` holds every page
 * answer that long (a sync then is mid-run long enough to be killed).
 */
async function startPagedPeer(options = {}) {
  const token = options.token ?? 'paged-peer-token';
  const items = new Map();
  let clock = Date.parse('2026-01-01T00:00:00.000Z');
  const tick = () => new Date((clock += 1000)).toISOString();
  const fetches = new Map();
  const state = { delayMs: options.delayMs ?? 0, etags: options.etags ?? true, notModified: 0, requests: 0, inFlight: 0, maxInFlight: 0, failPages: new Set() };

  const put = (id, fields = {}) => {
    const previous = items.get(id);
    const item = { id, name: `record ${id}`, version: (previous?.version ?? 0) + 1, ...fields, updatedAt: tick() };
    items.set(id, item);
    return item;
  };
  for (let index = 1; index <= (options.records ?? 0); index++) put(`r${String(index).padStart(6, '0')}`);

  let sorted;
  const ordered = () => (sorted ??= [...items.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  const pageBodies = new Map();

  const server = http.createServer((request, response) => {
    state.requests += 1;
    const url = new URL(request.url, 'http://peer');
    if (request.headers.authorization !== `Bearer ${token}`) return send(response, 401, { message: 'Bad credentials' });
    if (url.pathname === '/health') return send(response, 200, { ok: true });
    if (url.pathname !== '/items' || request.method !== 'GET') return send(response, 404, { message: 'Not Found' });
    const page = Number(url.searchParams.get('page') ?? '1');
    const perPage = Number(url.searchParams.get('per_page') ?? DEFAULT_PER_PAGE);
    const since = url.searchParams.get('since');
    const key = `${since ?? ''}#${page}`;
    fetches.set(key, (fetches.get(key) ?? 0) + 1);
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    response.once('close', () => (state.inFlight -= 1));
    const answer = () => {
      if (state.failPages.has(page)) return send(response, 500, { message: 'Server Error' });
      const cacheKey = `${key}#${perPage}`;
      let cached = pageBodies.get(cacheKey);
      if (!cached) {
        const all = since ? ordered().filter((item) => item.updatedAt > since) : ordered();
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const body = JSON.stringify({ items: slice, next: page * perPage < all.length ? String(page + 1) : null });
        cached = { body, etag: `W/"${createHash('sha1').update(body).digest('hex')}"` };
        pageBodies.set(cacheKey, cached);
      }
      if (state.etags && request.headers['if-none-match'] === cached.etag) {
        state.notModified += 1;
        response.writeHead(304, { etag: cached.etag });
        return response.end();
      }
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(cached.body), ...(state.etags ? { etag: cached.etag } : {}) });
      response.end(cached.body);
    };
    if (state.delayMs > 0) setTimeout(answer, state.delayMs);
    else answer();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const changed = () => {
    sorted = undefined;
    pageBodies.clear();
  };

  return {
    url: `http://127.0.0.1:${server.address().port}`,
    token,
    state,
    /** How often each page was fetched, by `since#page`. */
    fetches,
    get size() {
      return items.size;
    },
    ids: () => ordered().map((item) => item.id),
    put(id, fields) {
      const item = put(id, fields);
      changed();
      return item;
    },
    remove(id) {
      items.delete(id);
      changed();
    },
    resetCounts() {
      fetches.clear();
      state.notModified = 0;
      state.requests = 0;
      state.maxInFlight = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/**
 * The test-only vendor descriptor: provider `paged-peer` with one incremental sync source, `items`
 * (`perPage` records a page, incremental by `since`).
 */
function pagedPeerDescriptor(perPage = DEFAULT_PER_PAGE) {
  return {
    provider: { id: 'paged-peer', displayName: 'Paged test peer', category: 'generic', capabilities: ['requests', 'syncs'], authModes: ['bearer'] },
    http: { healthPath: '/health' },
    syncSources: [
      {
        name: 'items',
        description: 'Every item, paged by number, incremental by updatedAt',
        incremental: true,
        request(position) {
          return { method: 'GET', path: '/items', query: { page: position.page ?? '1', per_page: String(perPage), ...(position.since ? { since: position.since } : {}) } };
        },
        read(answer) {
          const body = answer.body;
          return { records: body.items.map((item) => ({ id: item.id, data: item, updatedAt: item.updatedAt })), next: body.next };
        },
      },
    ],
  };
}

module.exports = { startPagedPeer, pagedPeerDescriptor, DEFAULT_PER_PAGE };

// `node index.js --serve --records N [--delay MS]`: serves until stdin closes; prints `{"url","token"}`.
if (require.main === module) {
  const argv = process.argv.slice(2);
  const flag = (name, fallback) => {
    const index = argv.indexOf(name);
    return index === -1 ? fallback : Number(argv[index + 1]);
  };
  startPagedPeer({ records: flag('--records', 0), delayMs: flag('--delay', 0) }).then((peer) => {
    process.stdout.write(`${JSON.stringify({ url: peer.url, token: peer.token })}\n`);
    process.stdin.on('end', () => void peer.close().then(() => process.exit(0)));
    process.stdin.resume();
  });
}
