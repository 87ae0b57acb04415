import { VendorsModule } from '../../platform/vendors/vendors.module';
import { VENDOR_DESCRIPTORS } from '../vendor-catalogue';
import { baseUrlFromSubdomain, configurationProblems } from './zendesk.configuration';
import { ZENDESK } from './zendesk.descriptor';
import { classifyZendeskAnswer, DEFAULT_WAIT_MS } from './zendesk.rate-limits';

const NOW = 1_700_000_000_000;

describe('Zendesk descriptor', () => {
  it('is in the catalogue with basic (the default) and bearer auth, its operations, sync source and verifier', () => {
    const catalogue = VendorsModule.catalogueOf(VENDOR_DESCRIPTORS);
    expect(catalogue.providers.find((provider) => provider.id === 'zendesk')).toMatchObject({ authModes: ['basic', 'bearer'], category: 'support' });
    expect(catalogue.verifier('zendesk')?.name).toBe('zendesk');
    expect(catalogue.syncSource('zendesk', 'tickets')?.incremental).toBe(true);
    expect(ZENDESK.http?.healthPath).toBe('/api/v2/users/me.json');
  });

  it('makes the base URL of the account’s subdomain, and checks the configuration', () => {
    expect(baseUrlFromSubdomain({ subdomain: 'acme' })).toBe('https://acme.zendesk.com');
    expect(ZENDESK.http?.baseUrlFrom?.({ subdomain: 'Acme-Support' })).toBe('https://acme-support.zendesk.com');
    expect(baseUrlFromSubdomain({ subdomain: 'evil.com/x' })).toBeUndefined();
    expect(baseUrlFromSubdomain({})).toBeUndefined();
    expect(configurationProblems({ subdomain: 'acme' })).toEqual([]);
    expect(configurationProblems({ baseUrl: 'https://support.acme.com' })).toEqual([]);
    expect(configurationProblems({ subdomain: 'acme.zendesk.com' })).toEqual([expect.stringContaining('configuration.subdomain must be the Zendesk account subdomain')]);
    expect(configurationProblems({ subdomain: '-acme' })).toHaveLength(1);
    expect(configurationProblems({ subdomain: 42 })).toHaveLength(1);
    expect(configurationProblems({ subdomain: 'acme', baseUrl: 'https://acme.zendesk.com' })).toEqual([expect.stringContaining('set one of them')]);
    expect(configurationProblems({ baseUrl: 'https://acme.zendesk.com/api/v2' })).toEqual([expect.stringContaining('without a path')]);
  });
});

describe('classifyZendeskAnswer', () => {
  const answer = (status: number, headers: Record<string, string>) => ({ status, headers, body: Buffer.from('{"error":"APIRateLimitExceeded"}') });

  it('reads a 429 as RateLimited with Retry-After’s wait', () => {
    expect(classifyZendeskAnswer(answer(429, { 'retry-after': '93', 'x-rate-limit': '700', 'x-rate-limit-remaining': '0' }), NOW)).toEqual({
      category: 'RateLimited',
      retryable: true,
      code: 'rate_limited',
      status: 429,
      retryAfterMs: 93_000,
    });
  });

  it('falls back to ratelimit-reset, then an endpoint limit’s resets, then the minute window', () => {
    expect(classifyZendeskAnswer(answer(429, { 'ratelimit-remaining': '0', 'ratelimit-reset': '41' }), NOW)?.retryAfterMs).toBe(41_000);
    expect(classifyZendeskAnswer(answer(429, { 'zendesk-ratelimit-tickets-index': 'total=100; remaining=0; resets=37' }), NOW)?.retryAfterMs).toBe(37_000);
    expect(classifyZendeskAnswer(answer(429, { 'zendesk-ratelimit-tickets-index': 'total=100; remaining=5; resets=37' }), NOW)?.retryAfterMs).toBe(DEFAULT_WAIT_MS);
    expect(classifyZendeskAnswer(answer(429, {}), NOW)?.retryAfterMs).toBe(DEFAULT_WAIT_MS);
  });

  it('leaves every other answer to HTTP’s reading', () => {
    expect(classifyZendeskAnswer(answer(200, { 'x-rate-limit-remaining': '0' }), NOW)).toBeUndefined();
    expect(classifyZendeskAnswer(answer(403, {}), NOW)).toBeUndefined();
    expect(classifyZendeskAnswer(answer(503, { 'retry-after': '5' }), NOW)).toBeUndefined();
  });
});
