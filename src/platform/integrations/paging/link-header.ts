/**
 * RFC 8288 `Link` headers, as paged APIs send them:
 *   <https://api.example.com/items?page=2>; rel="next", <https://api.example.com/items?page=5>; rel="last"
 */

type HeaderValue = string | readonly string[] | undefined;

/** Every link's target by relation type (`next`, `last`, `prev`, `first`); a link may carry several (`rel="next last"`). */
export function parseLinkHeader(header: HeaderValue): Map<string, string> {
  const links = new Map<string, string>();
  const text = Array.isArray(header) ? header.join(', ') : (header as string | undefined);
  if (!text) return links;
  // A target may hold commas and semicolons, so a link is matched as `<target>` followed by its parameters.
  const LINK = /<([^>]*)>((?:\s*;\s*[^;,<=\s]+\s*(?:=\s*(?:"[^"]*"|[^;,<\s]*))?)*)/g;
  for (const [, target, parameters] of text.matchAll(LINK)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(parameters);
    for (const type of (rel?.[1] ?? rel?.[2] ?? '').split(/\s+/).filter(Boolean)) {
      if (!links.has(type.toLowerCase())) links.set(type.toLowerCase(), target);
    }
  }
  return links;
}

/**
 * The `next` link as a path and query relative to the connection's base URL (what a governed request
 * takes), or null when there is no next page. A link pointing outside the base URL is refused: a page
 * must not send the next call (and its credential) elsewhere.
 */
export function linkNext(headers: Readonly<Record<string, string | string[]>>, baseUrl: URL | string): string | null {
  const target = parseLinkHeader(headerOf(headers, 'link')).get('next');
  return target === undefined ? null : relativeToBase(target, baseUrl);
}

/** `https://host/api/v3/repos?page=2` under base `https://host/api/v3` → `/repos?page=2`; null when it is not under the base. */
export function relativeToBase(target: string, baseUrl: URL | string): string | null {
  const base = typeof baseUrl === 'string' ? new URL(baseUrl) : baseUrl;
  let url: URL;
  try {
    url = new URL(target, base);
  } catch {
    return null;
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  if (url.origin !== base.origin || !url.pathname.startsWith(`${basePath}/`)) return null;
  return `${url.pathname.slice(basePath.length)}${url.search}`;
}

/** A path-and-query (as `linkNext` gives) split into what a governed request takes. */
export function splitPathAndQuery(pathAndQuery: string): { path: string; query: Record<string, string | string[]> } {
  const url = new URL(pathAndQuery, 'http://relative.invalid');
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name);
    query[name] = values.length === 1 ? values[0] : values;
  }
  return { path: url.pathname, query };
}

function headerOf(headers: Readonly<Record<string, string | string[]>>, name: string): HeaderValue {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}
