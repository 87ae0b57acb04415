import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { Browser, chromium, Page } from 'playwright-core';
import { TenantApi, until } from './support/governed-api';
import { OidcPeer } from './support/oidc-peer';
import { PlatformProcess } from './support/platform-process';
import { newJwtSecret } from './support/tokens';
import { startVendorPeer, VendorPeer } from './support/vendor-peer';
import { Receiver } from './support/webhook-receiver';

/**
 * The operator console in a real browser (Debian's Chromium through playwright-core) against a platform
 * started the way `npm start` starts it, signed in from the link its start banner prints: a connection
 * created from its descriptor's form becomes Active, a subscription is created, a published event's
 * delivery shows up live, dead-letters while the receiver fails and is Delivered after a replay from
 * the console; a token without write scopes sees no create or replay controls. Screenshots of the main
 * pages go to .tmp/console-screenshots, or to docs/console with UPDATE_CONSOLE_SCREENSHOTS=1.
 */
const ROOT = join(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TENANT = 'console-e2e';
const BEARER = 'console-e2e-vendor-key-0123456789';
const SCREENSHOTS = process.env.UPDATE_CONSOLE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'console') : join(ROOT, '.tmp', 'console-screenshots');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const READ_SCOPES = 'integration.providers.read integration.connections.read integration.runs.read webhooks.subscriptions.read webhooks.deliveries.read';

describe('the operator console in a browser', () => {
  const jwtSecret = newJwtSecret();
  let peer: VendorPeer;
  let receiver: Receiver;
  let receiverFails = true;
  let platform: PlatformProcess;
  let apiUrl: string;
  let consoleLink: string;
  let browser: Browser;
  let page: Page;
  let api: TenantApi;
  let subscriptionId: string;

  const shoot = async (name: string, target = page) => {
    const path = join(SCREENSHOTS, `${name}.png`);
    await target.screenshot({ path, fullPage: false });
    // A PNG, and more than a blank page.
    const image = readFileSync(path);
    expect(image.subarray(1, 4).toString()).toBe('PNG');
    expect(image.length).toBeGreaterThan(10_000);
  };
  const open = async (name: string) => {
    await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    peer = await startVendorPeer({ auth: { bearer: [BEARER] } });
    receiver = await Receiver.start(() => (receiverFails ? { status: 503, body: 'down for maintenance' } : { status: 204, body: '' }));
    // `npm start` is `node scripts/start.js`: it builds what is stale (the console too), then boots `all`.
    platform = PlatformProcess.spawn(
      {
        LOG_FORMAT: 'pretty',
        AUTH_JWT_SECRET: jwtSecret,
        CONSOLE_DEV_TENANT: TENANT,
        EGRESS_ALLOW_LIST: '127.0.0.1',
        HEALTH_PROBE_INTERVAL: '1s',
        WEBHOOK_RETRY_SCHEDULE: '0,200ms',
        WEBHOOK_AUTO_DISABLE_AFTER: '0',
      },
      join(ROOT, 'scripts', 'start.js'),
    );
    const banner = await until(
      async () => stripVTControlCharacters(platform.stdout.join('\n')),
      (text) => /^\s+Console\s+http/m.test(text),
      120_000,
      'the start banner',
    );
    apiUrl = /^\s+API\s+(http\S+)/m.exec(banner)![1];
    consoleLink = /^\s+Console\s+(http\S+)/m.exec(banner)![1];
    api = await TenantApi.create(apiUrl, jwtSecret, TENANT, [], `${READ_SCOPES} webhooks.events.publish`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await receiver?.close();
    await peer?.close();
  });

  it("signs in from the start banner's link, and takes the token out of the address bar", async () => {
    expect(consoleLink).toMatch(/\/console\/#token=[\w-]+\.[\w-]+\.[\w-]+$/);
    await page.goto(consoleLink);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(page.url()).not.toContain('token=');
    await expect(page.getByRole('banner').innerText()).resolves.toContain(TENANT);
    expect(await page.evaluate('[localStorage.length, sessionStorage.length, document.cookie]')).toEqual([0, 0, '']);
  });

  it('creates a generic-rest connection from its generated form, and shows it Active', async () => {
    await open('Connections');
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByLabel('Provider').selectOption('generic-rest');
    await page.getByLabel('Display name').fill('Vendor peer');
    await page.getByLabel('Base URL').fill(peer.url);
    await page.getByLabel('Health path').fill('/health');
    await page.getByRole('button', { name: 'New api credential' }).click();
    await page.getByLabel('Credential name').fill('vendor-peer-key');
    await page.getByLabel('Secret value').fill(BEARER);
    await page.getByRole('button', { name: 'Create credential' }).click();
    // The new credential is chosen for the connection once it exists.
    await until(
      () => page.getByLabel('API credential', { exact: true }).inputValue(),
      (value) => value.startsWith('cred-'),
      10_000,
      'the new credential chosen',
    );
    await page.getByRole('button', { name: 'Create connection' }).click();

    await page.getByRole('heading', { level: 1, name: 'Vendor peer' }).waitFor();
    await page.getByText('Active', { exact: true }).first().waitFor();
    // The health worker's probes fill the chart and the history.
    const connectionId = (await api.get('/integrations/connections')).body.items[0].id as string;
    await until(
      () => api.get(`/integrations/connections/${connectionId}/health-checks`),
      (answer) => answer.body.items.length >= 3,
      20_000,
      'three probes',
    );
    // The token lives in the page's memory only: navigate, never reload.
    await open('Connections');
    await page.getByRole('link', { name: 'Vendor peer' }).waitFor();
    await shoot('connections');
    await page.getByRole('link', { name: 'Vendor peer' }).click();
    await page.getByRole('heading', { level: 1, name: 'Vendor peer' }).waitFor();
    await page.getByText('Healthy', { exact: true }).first().waitFor();
    await page.getByText(/^[1-9]\d* health checks shown/).waitFor();
    await shoot('connection');
    expect(peer.requests.some((request) => request.headers.authorization === `Bearer ${BEARER}`)).toBe(true);
  });

  it('creates a subscription, and shows its secret once', async () => {
    await open('Subscriptions');
    await page.getByRole('button', { name: 'New subscription' }).click();
    await page.getByLabel('Endpoint URL').fill(receiver.url());
    await page.getByRole('button', { name: 'Create subscription' }).click();
    const secret = await page
      .getByLabel(/secret/i)
      .first()
      .inputValue();
    expect(secret).toMatch(/^whsec_/);
    receiver.secrets.push(secret);
    const listed = await until(
      () => api.get('/webhooks/subscriptions'),
      (answer) => answer.body.items.length === 1,
      10_000,
      'the subscription',
    );
    subscriptionId = listed.body.items[0].id;
    await shoot('subscriptions');
  });

  it('shows a published event’s delivery live, dead-lettered while the receiver fails, Delivered after a replay from the console', async () => {
    await open('Deliveries');
    await page.getByLabel('Subscription').selectOption(subscriptionId);
    expect((await api.post('/webhooks/events', { type: 'build.finished', id: 'evt-e2e-1', data: { build: 42 } })).status).toBe(202);

    // No reload: the live feed brings the row, then its dead-lettering.
    const row = page.getByRole('row').filter({ hasText: 'build.finished' });
    await row.waitFor({ timeout: 20_000 });
    await row.getByText('DeadLettered', { exact: true }).waitFor({ timeout: 20_000 });
    await shoot('deliveries');

    receiverFails = false;
    await row.getByRole('button', { name: /^Replay dlv-/ }).click();
    await row.getByText('Delivered', { exact: true }).waitFor({ timeout: 20_000 });
    expect(receiver.requests.filter((request) => request.verified).length).toBeGreaterThanOrEqual(1);

    await row.getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Attempt timeline' }).waitFor();
    await shoot('delivery');
  });

  it('shows the overview, runs and model usage pages, and fits a phone screen', async () => {
    await open('Overview');
    await page.getByRole('heading', { name: /Degraded connections/ }).waitFor();
    await shoot('overview');
    await open('Runs');
    await shoot('runs');
    await open('Model usage');
    await shoot('model-usage');

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      await phone.goto(consoleLink.replace(/#token=.*/, `#token=${api.token}`));
      await phone.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await shoot('overview-phone', phone);
    } finally {
      await phone.close();
    }
  });

  it('hides every create and replay control from a token without write scopes', async () => {
    const reader = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    try {
      await reader.goto(`${apiUrl}/console/#token=${api.token}`);
      await reader.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      const visit = async (name: string) => {
        await reader.getByRole('navigation').getByRole('link', { name, exact: true }).click();
        await reader.getByRole('heading', { level: 1, name }).waitFor();
      };
      await visit('Connections');
      await reader.getByRole('link', { name: 'Vendor peer' }).waitFor();
      expect(await reader.getByRole('button', { name: 'New connection' }).count()).toBe(0);
      await visit('Subscriptions');
      // The list has loaded before asserting what is not there.
      await reader.getByText(receiver.url()).first().waitFor();
      expect(await reader.getByRole('button', { name: 'New subscription' }).count()).toBe(0);
      expect(await reader.getByRole('button', { name: /^(Rotate secret|Disable|Enable) / }).count()).toBe(0);
      await visit('Deliveries');
      await reader.getByRole('row').filter({ hasText: 'build.finished' }).waitFor();
      expect(await reader.getByRole('button', { name: /^Replay/ }).count()).toBe(0);
      // The server refuses regardless of what the page shows.
      expect((await api.post('/webhooks/deliveries/replay', { subscriptionId })).status).toBe(403);
    } finally {
      await reader.close();
    }
  });

  it("passes axe's accessibility checks (contrast, labels, landmarks, names) on every page, with data on them", async () => {
    // axe is injected as a script, which the console's Content-Security-Policy rightly refuses: this page alone bypasses it.
    const audited = await browser.newPage({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
    try {
      await audited.goto(consoleLink);
      await audited.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      const violations: string[] = [];
      const audit = async (where: string) => {
        await audited.waitForTimeout(300);
        if (!(await audited.evaluate<boolean>('typeof axe !== "undefined"'))) await audited.addScriptTag({ content: AXE });
        const result = await audited.evaluate<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }>(
          'axe.run(document, { resultTypes: ["violations"] })',
        );
        for (const violation of result.violations)
          violations.push(`${where}: ${violation.impact} ${violation.id} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
      };
      for (const name of ['Overview', 'Connections', 'Credentials', 'Subscriptions', 'Deliveries', 'Runs', 'Syncs', 'Model usage', 'MCP tools']) {
        await audited.getByRole('navigation').getByRole('link', { name, exact: true }).click();
        await audited.getByRole('heading', { level: 1, name }).waitFor();
        await audit(name);
      }
      await audited.getByRole('navigation').getByRole('link', { name: 'Connections', exact: true }).click();
      await audited.getByRole('link', { name: 'Vendor peer' }).click();
      await audited.getByRole('heading', { name: 'Health history' }).waitFor();
      await audit('a connection');
      await audited.getByRole('navigation').getByRole('link', { name: 'Deliveries', exact: true }).click();
      await audited.getByRole('row').filter({ hasText: 'build.finished' }).getByRole('link').first().click();
      await audited.getByRole('heading', { name: 'Attempt timeline' }).waitFor();
      await audit('a delivery');
      expect(violations).toEqual([]);
    } finally {
      await audited.close();
    }
  });
});

describe('the operator console signing in with OpenID Connect', () => {
  const CLIENT_ID = 'operator-console';
  const AUDIENCE = 'integration-platform';
  let oidc: OidcPeer;
  let platform: PlatformProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    oidc = await OidcPeer.start({ clientId: CLIENT_ID, audience: AUDIENCE, accessClaims: { tenantId: 'console-oidc', scope: READ_SCOPES } });
    // Production-shaped auth (RS256 from the provider's JWKS, issuer and audience checked) on a development host.
    platform = await PlatformProcess.start({
      AUTH_JWKS_URI: `${oidc.url}/jwks`,
      AUTH_ISSUER: oidc.url,
      AUTH_AUDIENCE: AUDIENCE,
      CONSOLE_OIDC_CLIENT_ID: CLIENT_ID,
      CONSOLE_OIDC_SCOPE: 'openid profile',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await oidc?.close();
  });

  it('signs in through the provider with authorization code + PKCE, keeping the tokens in memory only', async () => {
    await page.goto(`${platform.url}/console/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();

    const [authorization] = oidc.authorizeRequests;
    expect(Object.fromEntries(authorization)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${platform.url}/console/`,
      scope: 'openid profile',
      code_challenge_method: 'S256',
      state: expect.stringMatching(/^[\w-]{20,}$/),
      nonce: expect.stringMatching(/^[\w-]{20,}$/),
    });
    expect(oidc.tokenRequests.map((request) => request.status)).toEqual([200]);
    await expect(page.getByRole('banner').innerText()).resolves.toContain('console-oidc');
    expect(page.url()).not.toMatch(/code=|state=/);
    expect(await page.evaluate('[localStorage.length, sessionStorage.length, document.cookie]')).toEqual([0, 0, '']);
    // What the provider issued is what the API accepts: the console's calls went through with it.
    await page.getByRole('navigation').getByRole('link', { name: 'Connections', exact: true }).click();
    await page.getByText('0 connections shown').waitFor();
  });

  it('refuses an answer whose state it did not ask for', async () => {
    const fresh = await browser.newPage();
    try {
      await fresh.goto(`${platform.url}/console/?code=forged&state=not-the-one`);
      await expect(fresh.getByRole('alert').innerText()).resolves.toMatch(/state does not match/);
      expect(oidc.tokenRequests).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });
});
