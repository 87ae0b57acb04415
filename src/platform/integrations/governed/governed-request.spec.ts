import fc from 'fast-check';
import { IntegrationError } from '../../resilience/failure-classifier';
import { resolveVendorUrl } from './governed-request';

const BASE = new URL('https://api.vendor.example/v2');

/** What a lenient vendor could make of a path: percent-decoded again and again, backslashes read as slashes. */
function asVendorMayRead(pathname: string): string[] {
  const readings = [pathname];
  for (let current = pathname, depth = 0; depth < 4; depth++) {
    current = current.replace(/%([0-9A-Fa-f]{2})/g, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    readings.push(current);
  }
  return readings.map((reading) => reading.replace(/\\/g, '/'));
}

const hostileSegment = fc.oneof(
  fc.constantFrom('..', '.', '%2e%2e', '%2E.', '.%2e', '..%2f', '..%2F', '%5c', '..%5C', '%00', '%252f', '%25252e%25252e', 'a%2fb', '..\\', 'v1'),
  fc.stringMatching(/^[A-Za-z0-9._~%-]{1,12}$/),
);

describe('resolveVendorUrl', () => {
  it('never yields a URL a vendor could read as outside the base path, and refuses as Validation what it will not send', () => {
    fc.assert(
      fc.property(fc.array(hostileSegment, { minLength: 1, maxLength: 6 }), (segments) => {
        const path = `/${segments.join('/')}`;
        let url: URL;
        try {
          url = resolveVendorUrl(BASE, { path });
        } catch (error) {
          expect(error).toBeInstanceOf(IntegrationError);
          expect((error as IntegrationError).category).toBe('Validation');
          return;
        }
        expect(url.origin).toBe(BASE.origin);
        for (const reading of asVendorMayRead(url.pathname)) {
          expect(reading.startsWith('/v2/')).toBe(true);
          expect(reading.split('/')).not.toContain('..');
          expect(reading).not.toContain('\0');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('sends ordinary paths unchanged, percent-encoded characters that are no separator included', () => {
    expect(resolveVendorUrl(BASE, { path: '/repos/acme/widget%20one/.well-known' }).pathname).toBe('/v2/repos/acme/widget%20one/.well-known');
    expect(resolveVendorUrl(BASE, { path: '/files/100%25' }).pathname).toBe('/v2/files/100%25');
  });

  it.each(['/a/..%2fadmin', '/a/%2e%2e/b', '/a/..%5cadmin', '/a/x%00.json', '/a/..%252fadmin', '/a/.'])('refuses %s naming it', (path) => {
    expect(() => resolveVendorUrl(BASE, { path })).toThrow(expect.objectContaining({ code: 'invalid_path', message: expect.stringContaining(JSON.stringify(path)) }));
  });
});
