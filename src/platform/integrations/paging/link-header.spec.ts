import { linkNext, parseLinkHeader, relativeToBase, splitPathAndQuery } from './link-header';

describe('Link header (RFC 8288)', () => {
  const header = '<https://api.example.com/repositories/1/items?page=2&per_page=30>; rel="next", <https://api.example.com/repositories/1/items?page=5&per_page=30>; rel="last"';

  it('reads each link by relation type', () => {
    const links = parseLinkHeader(header);
    expect(links.get('next')).toBe('https://api.example.com/repositories/1/items?page=2&per_page=30');
    expect(links.get('last')).toBe('https://api.example.com/repositories/1/items?page=5&per_page=30');
    expect(links.has('prev')).toBe(false);
  });

  it('reads unquoted and multi-valued rel, extra parameters and repeated headers', () => {
    const links = parseLinkHeader(['<https://x.test/a?b=1,2>; title="a, b"; rel=next', '<https://x.test/z>; rel="prev first"']);
    expect(links.get('next')).toBe('https://x.test/a?b=1,2');
    expect(links.get('prev')).toBe('https://x.test/z');
    expect(links.get('first')).toBe('https://x.test/z');
  });

  it('is empty without a header', () => {
    expect(parseLinkHeader(undefined).size).toBe(0);
    expect(parseLinkHeader('').size).toBe(0);
  });

  it('gives the next page relative to the base URL, keeping a base path prefix', () => {
    expect(linkNext({ Link: header }, 'https://api.example.com')).toBe('/repositories/1/items?page=2&per_page=30');
    const enterprise = '<https://ghe.example.com/api/v3/user/repos?page=3>; rel="next"';
    expect(linkNext({ link: enterprise }, new URL('https://ghe.example.com/api/v3'))).toBe('/user/repos?page=3');
    expect(linkNext({}, 'https://api.example.com')).toBeNull();
    expect(linkNext({ link: '<https://api.example.com/items?page=5>; rel="last"' }, 'https://api.example.com')).toBeNull();
  });

  it('refuses a next link outside the base URL', () => {
    expect(relativeToBase('https://elsewhere.example/items?page=2', 'https://api.example.com')).toBeNull();
    expect(relativeToBase('https://ghe.example.com/other/items', 'https://ghe.example.com/api/v3')).toBeNull();
    expect(relativeToBase('/api/v3/items?page=2', 'https://ghe.example.com/api/v3')).toBe('/items?page=2');
  });

  it('splits a path and query into a governed request’s parts', () => {
    expect(splitPathAndQuery('/repos/o/r/pulls?page=2&state=all&label=a&label=b')).toEqual({ path: '/repos/o/r/pulls', query: { page: '2', state: 'all', label: ['a', 'b'] } });
    expect(splitPathAndQuery('/user/repos')).toEqual({ path: '/user/repos', query: {} });
  });
});
