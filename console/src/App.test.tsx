import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';

function jwt(payload: Record<string, unknown>): string {
  const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${encode({ alg: 'HS256' })}.${encode(payload)}.sig`;
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A tiny stand-in for the platform: the answers the shell needs, every call recorded. */
function mockPlatform(scopes: string[]) {
  const calls: Array<{ url: string; authorization: string | undefined }> = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, authorization: (init?.headers as Record<string, string> | undefined)?.authorization });
    if (url === '/console/config.json') return json({ oidc: null });
    if (url === '/auth/session') return json({ tenantId: 't1', subject: 'ops', scopes, expiresAt: null });
    if (url === '/live/events') return new Response(new ReadableStream({ start: () => undefined }), { status: 200, headers: { 'content-type': 'text/event-stream' } });
    if (url.startsWith('/integrations/overview'))
      return json({
        connections: {
          total: 2,
          byStatus: { Active: 1, Degraded: 1 },
          byHealth: { Healthy: 1, Unhealthy: 1 },
          degraded: [
            {
              id: 'conn-1',
              displayName: 'Vendor',
              providerId: 'generic-rest',
              status: 'Degraded',
              health: 'Unhealthy',
              lastCheckedAt: null,
              lastFailure: { category: 'Auth', code: 'unauthorized', message: 'the key was refused' },
            },
          ],
        },
        circuits: [{ name: 'generic-rest:api.vendor.example', connectionId: 'conn-1', state: 'open' }],
        queues: [{ name: 'deliver-webhook', depth: 3 }],
        failuresLastHour: { runs: 4, deliveries: 1, byCategory: { Auth: 4 } },
      });
    return json({ items: [], nextCursor: null });
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

describe('the console shell', () => {
  it('signs in from the #token fragment, removes it, keeps it out of storage, sends it as a bearer, and shows the overview', async () => {
    const token = jwt({ tenantId: 't1', scope: 'integration.connections.read' });
    const calls = mockPlatform(['integration.connections.read', 'webhooks.deliveries.read']);
    const setItem = vi.spyOn(Storage.prototype, 'setItem');
    window.history.replaceState(null, '', `/console/#token=${token}`);
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Degraded connections' })).toBeTruthy();
    expect(window.location.href).not.toContain(token);
    expect(setItem).not.toHaveBeenCalled();
    expect(document.cookie).toBe('');
    expect(screen.getByText(/Auth unauthorized: the key was refused/)).toBeTruthy();
    expect(screen.getByText('generic-rest:api.vendor.example')).toBeTruthy();
    const apiCalls = calls.filter((call) => call.url !== '/console/config.json');
    expect(apiCalls.length).toBeGreaterThan(0);
    expect(apiCalls.every((call) => call.authorization === `Bearer ${token}`)).toBe(true);
    expect(calls.some((call) => call.url === '/live/events')).toBe(true);
  });

  it('shows only the pages the scopes allow', async () => {
    mockPlatform(['integration.connections.read', 'webhooks.deliveries.read']);
    window.history.replaceState(null, '', `/console/#token=${jwt({ tenantId: 't1' })}`);
    render(<App />);
    const nav = await screen.findByRole('navigation', { name: 'Console' });
    const links = [...nav.querySelectorAll('a')].map((link) => link.textContent);
    expect(links).toEqual(['Overview', 'Connections', 'Deliveries', 'Syncs']);
  });

  it('offers the paste-a-token form without OpenID Connect settings, and signs in with it', async () => {
    mockPlatform(['integration.connections.read']);
    window.history.replaceState(null, '', '/console/');
    render(<App />);
    const user = userEvent.setup();
    await waitFor(() => expect(screen.queryByText('Starting…')).toBeNull());
    expect(screen.queryByRole('button', { name: 'Sign in' })).toBeNull();
    await user.type(screen.getByLabelText('Access token'), jwt({ tenantId: 't1' }));
    await user.click(screen.getByRole('button', { name: 'Use token' }));
    expect(await screen.findByRole('button', { name: 'Sign out' })).toBeTruthy();
  });
});
