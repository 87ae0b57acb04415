import { IncomingHttpHeaders } from 'node:http';
import { jsonResponse, messageResponse, PeerRequest, PeerResponse, queryToObject } from '../peer-http';

export interface VendorItem {
  id: string;
  [field: string]: unknown;
}

/** GitHub's defaults for list endpoints. */
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;

const ITEMS_PATH = '/api/items';

/**
 * The vendor's resources, reached once a request is authenticated (and admitted by the rate limit):
 *   GET  /health                 → {"status":"ok"}
 *   ANY  /api/echo...            → the request as the vendor saw it, credentials left out
 *   POST /api/items              → 201 {"id":"item_<n>"} with Location
 *   GET  /api/items?page=&per_page= → a page, with a GitHub-style Link header
 *   GET  /api/items/<id>         → the item
 */
export class VendorApi {
  private items: VendorItem[] = [];
  private lastItemNumber = 0;

  constructor(
    private readonly baseUrl: () => string,
    private readonly credentialHeaders: () => string[],
  ) {}

  handle(request: PeerRequest): PeerResponse {
    const { method, path } = request;
    if (path === '/health') return method === 'GET' ? jsonResponse(200, { status: 'ok' }) : methodNotAllowed('GET');
    if (path.startsWith('/api/echo')) return this.echo(request);
    if (path === ITEMS_PATH) {
      if (method === 'POST') return this.createItem(request);
      if (method === 'GET') return this.listItems(request);
      return methodNotAllowed('GET, POST');
    }
    if (path.startsWith(`${ITEMS_PATH}/`) && method === 'GET') return this.getItem(path.slice(ITEMS_PATH.length + 1));
    return messageResponse(404, 'Not Found');
  }

  /** Adds items as if they had been created through the API; returns their ids. */
  seedItems(count: number): string[] {
    return Array.from({ length: count }, () => this.addItem({}).id);
  }

  reset(): void {
    this.items = [];
    this.lastItemNumber = 0;
  }

  private echo(request: PeerRequest): PeerResponse {
    return jsonResponse(200, {
      method: request.method,
      path: request.path,
      query: queryToObject(request.query),
      headers: withoutHeaders(request.headers, this.credentialHeaders()),
      body: request.body.toString('utf8'),
    });
  }

  private createItem(request: PeerRequest): PeerResponse {
    const item = this.addItem(jsonObject(request.body));
    return jsonResponse(201, { id: item.id }, { location: `${ITEMS_PATH}/${item.id}` });
  }

  private getItem(id: string): PeerResponse {
    const item = this.items.find((candidate) => candidate.id === id);
    return item ? jsonResponse(200, item) : messageResponse(404, 'Not Found');
  }

  private listItems(request: PeerRequest): PeerResponse {
    const page = positiveInteger(request.query.get('page')) ?? 1;
    const perPage = Math.min(positiveInteger(request.query.get('per_page')) ?? DEFAULT_PER_PAGE, MAX_PER_PAGE);
    const lastPage = Math.max(1, Math.ceil(this.items.length / perPage));
    const link = this.linkHeader(request.query, page, perPage, lastPage);
    return jsonResponse(200, this.items.slice((page - 1) * perPage, page * perPage), link ? { link } : {});
  }

  /** GitHub's order: prev, next, last, first; absolute URLs that keep the request's other parameters. */
  private linkHeader(query: URLSearchParams, page: number, perPage: number, lastPage: number): string | undefined {
    const relations: Array<[string, number]> = [];
    if (page > 1) relations.push(['prev', page - 1]);
    if (page < lastPage) relations.push(['next', page + 1], ['last', lastPage]);
    if (page > 1) relations.push(['first', 1]);
    if (relations.length === 0) return undefined;
    return relations.map(([rel, target]) => `<${this.pageUrl(query, target, perPage)}>; rel="${rel}"`).join(', ');
  }

  private pageUrl(query: URLSearchParams, page: number, perPage: number): string {
    const url = new URL(ITEMS_PATH, this.baseUrl());
    query.forEach((value, name) => url.searchParams.append(name, value));
    url.searchParams.set('page', String(page));
    url.searchParams.set('per_page', String(perPage));
    return url.toString();
  }

  private addItem(fields: Record<string, unknown>): VendorItem {
    this.lastItemNumber += 1;
    const item: VendorItem = { ...fields, id: `item_${this.lastItemNumber}` };
    this.items.push(item);
    return item;
  }
}

function methodNotAllowed(allow: string): PeerResponse {
  return messageResponse(405, 'Method Not Allowed', { allow });
}

function withoutHeaders(headers: IncomingHttpHeaders, hidden: string[]): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !hidden.includes(name)));
}

/** The body's fields when it is a JSON object; anything else is stored as an item without fields. */
function jsonObject(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function positiveInteger(value: string | null): number | undefined {
  const parsed = value === null ? NaN : Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : undefined;
}
