import { render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type ApiClient } from './api';
import { Ctx, useLiveRefresh, type ConsoleContext } from './context';
import { parseRoute } from './router';
import { can, CONTROL_SCOPES } from './scopes';
import { ConnectionsPage } from './pages/Connections';
import { CredentialsPage } from './pages/Credentials';
import { DeliveriesPage } from './pages/Deliveries';
import { SubscriptionsPage } from './pages/Subscriptions';

const SUBSCRIPTION = {
  id: 'sub-1',
  url: 'https://hooks.example/a',
  eventTypes: ['*'],
  description: null,
  status: 'Active',
  disabledReason: null,
  consecutiveDeadLetters: 0,
  secretRotatedUntil: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};
const DELIVERY = {
  id: 'dlv-1',
  direction: 'out',
  connectionId: null,
  subscriptionId: 'sub-1',
  vendorDeliveryId: null,
  eventId: 'e1',
  eventType: 'X',
  status: 'DeadLettered',
  attemptCount: 8,
  series: 1,
  nextAttemptAt: null,
  lastError: '500',
  completedAt: null,
  createdAt: '2026-01-01T00:00:00Z',
};
const CREDENTIAL = {
  id: 'cred-1',
  name: 'k',
  kind: 'secret',
  origin: 'value',
  secretRef: 'k',
  version: 'v1',
  fingerprint: 'fp',
  rotationPolicy: null,
  status: 'Active',
  previousVersion: null,
  previousVersionValidUntil: null,
  lastRotatedAt: null,
  nextRotationAt: null,
  createdAt: '2026-01-01T00:00:00Z',
};

function fakeApi(answers: Record<string, unknown>): ApiClient {
  return {
    token: 't',
    get: vi.fn(async (path: string) => {
      const answer = answers[path];
      if (answer instanceof Error) throw answer;
      return (answer ?? { items: [], nextCursor: null }) as never;
    }),
    send: vi.fn(async () => ({}) as never),
  };
}

function renderWith(scopes: string[], element: React.ReactNode, answers: Record<string, unknown> = {}) {
  const context: ConsoleContext = {
    api: fakeApi(answers),
    session: { token: 't', tenantId: 't1', subject: 's', scopes, expiresAt: null, source: 'server' },
    onLive: () => () => undefined,
  };
  return render(<Ctx.Provider value={context}>{element}</Ctx.Provider>);
}

describe('scope gating', () => {
  it('maps every control to a scope of the contract', () => {
    expect(can(['webhooks.subscriptions.write'], 'replayDeliveries')).toBe(true);
    expect(can(['webhooks.deliveries.read'], 'replayDeliveries')).toBe(false);
    expect(Object.values(CONTROL_SCOPES).every((scope) => /^(integration|webhooks)\./.test(scope))).toBe(true);
  });

  it('hides replay controls without webhooks.subscriptions.write, shows them with it', async () => {
    const answers = { '/webhooks/deliveries': { items: [DELIVERY], nextCursor: null }, '/webhooks/subscriptions': { items: [SUBSCRIPTION] } };
    const route = parseRoute('#/deliveries?subscriptionId=sub-1');
    const { unmount } = renderWith(['webhooks.deliveries.read'], <DeliveriesPage route={route} />, answers);
    await screen.findByText('dlv-1');
    expect(screen.queryByRole('button', { name: /Replay/ })).toBeNull();
    unmount();
    renderWith(['webhooks.deliveries.read', 'webhooks.subscriptions.write', 'webhooks.subscriptions.read'], <DeliveriesPage route={route} />, answers);
    await screen.findByText('dlv-1');
    expect(screen.getByRole('button', { name: 'Replay dlv-1' })).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Replay all dead-lettered' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('hides subscription writes without webhooks.subscriptions.write', async () => {
    const answers = { '/webhooks/subscriptions': { items: [SUBSCRIPTION] } };
    const { unmount } = renderWith(['webhooks.subscriptions.read'], <SubscriptionsPage />, answers);
    await screen.findByText('https://hooks.example/a');
    expect(screen.queryByRole('button', { name: 'New subscription' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Rotate secret/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Disable/ })).toBeNull();
    unmount();
    renderWith(['webhooks.subscriptions.read', 'webhooks.subscriptions.write'], <SubscriptionsPage />, answers);
    await screen.findByText('https://hooks.example/a');
    expect(screen.getByRole('button', { name: 'New subscription' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Rotate secret of https://hooks.example/a' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Disable https://hooks.example/a' })).toBeTruthy();
  });

  it('hides connection creation without integration.connections.write', async () => {
    const { unmount } = renderWith(['integration.connections.read'], <ConnectionsPage route={parseRoute('#/connections')} />);
    await waitFor(() => expect(screen.getByText(/0 connections shown/)).toBeTruthy());
    expect(screen.queryByRole('button', { name: 'New connection' })).toBeNull();
    unmount();
    renderWith(['integration.connections.read', 'integration.connections.write'], <ConnectionsPage route={parseRoute('#/connections')} />);
    expect(screen.getByRole('button', { name: 'New connection' })).toBeTruthy();
  });

  it('hides rotate without integration.credentials.rotate', async () => {
    const answers = { '/integrations/credentials': { items: [CREDENTIAL] } };
    const { unmount } = renderWith(['integration.credentials.write'], <CredentialsPage route={parseRoute('#/credentials')} />, answers);
    await screen.findByText('fp');
    expect(screen.queryByRole('button', { name: 'Rotate k' })).toBeNull();
    unmount();
    renderWith(['integration.credentials.write', 'integration.credentials.rotate'], <CredentialsPage route={parseRoute('#/credentials')} />, answers);
    await screen.findByText('fp');
    expect(screen.getByRole('button', { name: 'Rotate k' })).toBeTruthy();
  });

  it('shows a 403 answer as a clear alert', async () => {
    const answers = { '/webhooks/subscriptions': new ApiError(403, 'Missing scope webhooks.subscriptions.read') };
    renderWith(['webhooks.subscriptions.read'], <SubscriptionsPage />, answers);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('403 Forbidden: Missing scope webhooks.subscriptions.read');
  });
});

describe('live refresh', () => {
  it('refetches once per burst of events (debounced), and at least every maxWait while they keep coming', async () => {
    vi.useFakeTimers();
    const listeners = new Set<(event: { type: string; data: string; id: string }) => void>();
    const refresh = vi.fn();
    function Probe() {
      useLiveRefresh(refresh, (event) => event.type !== 'Ignored', 400, 2000);
      return null;
    }
    const context: ConsoleContext = {
      api: fakeApi({}),
      session: { token: 't', tenantId: 't1', subject: 's', scopes: [], expiresAt: null, source: 'server' },
      onLive: (listener) => {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    };
    render(
      <Ctx.Provider value={context}>
        <Probe />
      </Ctx.Provider>,
    );
    const emit = (type = 'WebhookDelivered') => listeners.forEach((listener) => listener({ type, data: '{}', id: '1' }));
    emit();
    emit();
    emit('Ignored');
    vi.advanceTimersByTime(399);
    expect(refresh).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(refresh).toHaveBeenCalledTimes(1);
    for (let elapsed = 0; elapsed < 2500; elapsed += 200) {
      emit();
      vi.advanceTimersByTime(200);
    }
    expect(refresh).toHaveBeenCalledTimes(2);
    vi.useRealTimers();
  });
});
