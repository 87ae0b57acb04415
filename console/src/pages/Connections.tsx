import { useMemo, useState } from 'react';
import { describeError } from '../api';
import { connectionSchema, credentialKindsFor, needsCredential } from '../connection-schema';
import { HealthChart, type HealthPoint } from '../components/charts';
import { SchemaForm } from '../components/SchemaForm';
import { Badge, ErrorBox, Notice, Pager, Section, Table, When } from '../components/ui';
import { IfCan, useCan, useConsole, useCursorList, useGet, useLiveRefresh } from '../context';
import { href, navigate, type Route } from '../router';
import type { Connection, Credential, Provider } from '../types';

const STATUSES = ['Pending', 'Active', 'Degraded', 'Retired'];

export function ConnectionsPage({ route }: { route: Route }) {
  const id = route.segments[1];
  if (id) return <ConnectionDetail id={id} />;
  return <ConnectionList route={route} />;
}

function ConnectionList({ route }: { route: Route }) {
  const status = route.params.get('status') ?? '';
  const providerId = route.params.get('providerId') ?? '';
  const list = useCursorList<Connection>('/integrations/connections', { status, providerId }, { paged: false });
  const [creating, setCreating] = useState(route.params.get('create') === '1');
  useLiveRefresh(list.reload, (event) => /Connection|Health/.test(event.type));
  return (
    <>
      <h1>Connections</h1>
      <IfCan control="createConnection">
        <div className="toolbar">
          <button type="button" className="primary" aria-expanded={creating} onClick={() => setCreating(!creating)}>
            {creating ? 'Close the new connection form' : 'New connection'}
          </button>
        </div>
      </IfCan>
      {creating ? <CreateConnection onCreated={(connection) => navigate(`connections/${connection.id}`)} /> : null}
      <Section title="All connections">
        <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter connections">
          <div className="field">
            <label htmlFor="conn-filter-status">Status filter</label>
            <select id="conn-filter-status" value={status} onChange={(event) => navigate('connections', { status: event.target.value, providerId }, true)}>
              <option value="">Any</option>
              {STATUSES.map((value) => (
                <option key={value}>{value}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="conn-filter-provider">Vendor filter</label>
            <input
              id="conn-filter-provider"
              placeholder="a provider id, e.g. github"
              defaultValue={providerId}
              onBlur={(event) => navigate('connections', { status, providerId: event.target.value.trim() }, true)}
            />
          </div>
        </form>
        <ErrorBox error={list.error} what="Connections" />
        <Table caption="Connections" head={['Connection', 'Provider', 'Status', 'Health', 'Last checked', 'Created']}>
          {list.items.map((connection) => (
            <tr key={connection.id}>
              <td>
                <a href={href(`connections/${connection.id}`)}>{connection.displayName}</a>
                <div className="mono small">{connection.id}</div>
              </td>
              <td>{connection.providerId}</td>
              <td>
                <Badge value={connection.status} />
              </td>
              <td>
                <Badge value={connection.health} />
              </td>
              <td>
                <When at={connection.lastCheckedAt} />
              </td>
              <td>
                <When at={connection.createdAt} />
              </td>
            </tr>
          ))}
        </Table>
        <Pager list={list} label="connections" />
      </Section>
    </>
  );
}

/** Choose a provider, then its generated form; credentials chosen or created inline. */
export function CreateConnection({ onCreated }: { onCreated(connection: Connection): void }) {
  const { api } = useConsole();
  const providers = useGet<{ items: Provider[] }>('/integrations/providers');
  const [providerId, setProviderId] = useState('');
  const provider = useGet<Provider>(providerId ? `/integrations/providers/${encodeURIComponent(providerId)}` : null);
  const chosen = provider.data?.id === providerId ? provider.data : undefined;
  return (
    <Section title="Create a connection" id="create-connection">
      <ErrorBox error={providers.error} what="Providers" />
      <div className="field">
        <label htmlFor="new-connection-provider">Provider</label>
        <select id="new-connection-provider" value={providerId} onChange={(event) => setProviderId(event.target.value)}>
          <option value="">Choose a provider…</option>
          {(providers.data?.items ?? []).map((item) => (
            <option key={item.id} value={item.id}>
              {item.displayName} ({item.id})
            </option>
          ))}
        </select>
      </div>
      <ErrorBox error={provider.error} what="Provider" />
      {chosen ? <ProviderConnectionForm key={chosen.id} provider={chosen} onCreated={onCreated} api={api} /> : null}
    </Section>
  );
}

function ProviderConnectionForm({ provider, onCreated, api }: { provider: Provider; onCreated(connection: Connection): void; api: ReturnType<typeof useConsole>['api'] }) {
  const schema = useMemo(() => connectionSchema(provider), [provider]);
  const [credentialId, setCredentialId] = useState('');
  const [webhookSecretId, setWebhookSecretId] = useState('');
  const [created, setCreated] = useState<Connection | null>(null);
  const apiCredential = needsCredential(provider, undefined);
  return (
    <>
      <p className="help">
        {provider.displayName}: {provider.category}; auth modes {(provider.authModes ?? []).join(', ') || 'none (webhooks only)'}
        {provider.webhookVerifier ? `; webhooks verified by ${provider.webhookVerifier}` : ''}
        {provider.docsUrl ? (
          <>
            {' '}
            — <a href={provider.docsUrl}>vendor documentation</a>
          </>
        ) : null}
      </p>
      <SchemaForm
        schema={schema}
        title={`New ${provider.displayName} connection`}
        submitLabel="Create connection"
        onSubmit={async (value) => {
          const body: Record<string, unknown> = { providerId: provider.id, ...value };
          if (credentialId) body.credentialId = credentialId;
          if (webhookSecretId) body.webhook = { secretCredentialId: webhookSecretId };
          try {
            const connection = await api.send<Connection>('POST', '/integrations/connections', body);
            setCreated(connection);
            if (connection.status === 'Active') onCreated(connection);
          } catch (error) {
            return describeError(error);
          }
        }}
      >
        {apiCredential ? (
          <CredentialPicker
            label="API credential"
            idPrefix="api-credential"
            value={credentialId}
            onChange={setCredentialId}
            kinds={credentialKindsFor(provider, (schema.properties?.configuration?.properties?.auth?.enum as string[] | undefined)?.[0])}
          />
        ) : null}
        {provider.webhookVerifier ? (
          <CredentialPicker
            label="Webhook secret credential"
            idPrefix="webhook-credential"
            value={webhookSecretId}
            onChange={setWebhookSecretId}
            kinds={['webhook-secret', 'secret', 'basic']}
          />
        ) : null}
      </SchemaForm>
      {created && created.status !== 'Active' ? (
        <div className="error" role="alert">
          Created <a href={href(`connections/${created.id}`)}>{created.id}</a> as {created.status}
          {created.lastTest && !created.lastTest.passed
            ? `: the first test failed (${created.lastTest.category ?? ''} ${created.lastTest.code ?? ''}) ${created.lastTest.message ?? ''}`
            : ''}
        </div>
      ) : null}
    </>
  );
}

/** A credential: chosen from the tenant's (when the token may list them), typed as an id, or created here. */
function CredentialPicker({ label, idPrefix, value, onChange, kinds }: { label: string; idPrefix: string; value: string; onChange(id: string): void; kinds: string[] }) {
  const { api } = useConsole();
  const mayCreate = useCan('createCredential');
  const credentials = useGet<{ items: Credential[] }>(mayCreate ? '/integrations/credentials' : null);
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('');
  const [kind, setKind] = useState(kinds[0] ?? 'secret');
  const [secret, setSecret] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create() {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(name)) return setProblem('Credential name must be 1-200 letters, digits, dots, dashes or underscores');
    if (!secret) return setProblem('Secret value is required');
    setBusy(true);
    try {
      const credential = await api.send<Credential>('POST', '/integrations/credentials', { name, kind, value: secret });
      setSecret('');
      setProblem(null);
      setAdding(false);
      credentials.reload();
      onChange(credential.id);
    } catch (error) {
      setProblem(describeError(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <fieldset className="group">
      <legend>{label}</legend>
      {mayCreate && credentials.data ? (
        <div className="field">
          <label htmlFor={`${idPrefix}-select`}>{label}</label>
          <select id={`${idPrefix}-select`} value={value} onChange={(event) => onChange(event.target.value)}>
            <option value="">(none)</option>
            {credentials.data.items.map((credential) => (
              <option key={credential.id} value={credential.id}>
                {credential.name} ({credential.kind}, {credential.fingerprint.slice(0, 12)})
              </option>
            ))}
          </select>
        </div>
      ) : (
        <div className="field">
          <label htmlFor={`${idPrefix}-id`}>{label} id</label>
          <input id={`${idPrefix}-id`} value={value} placeholder="cred-…" onChange={(event) => onChange(event.target.value.trim())} />
        </div>
      )}
      {mayCreate ? (
        <>
          <button type="button" aria-expanded={adding} onClick={() => setAdding(!adding)}>
            {adding ? 'Cancel new credential' : `New ${label.replace(/^Webhook/, 'webhook')}`}
          </button>
          {adding ? (
            <div className="inline-form">
              <div className="field">
                <label htmlFor={`${idPrefix}-name`}>Credential name</label>
                <input id={`${idPrefix}-name`} value={name} onChange={(event) => setName(event.target.value)} autoComplete="off" />
              </div>
              <div className="field">
                <label htmlFor={`${idPrefix}-kind`}>Credential kind</label>
                <select id={`${idPrefix}-kind`} value={kind} onChange={(event) => setKind(event.target.value)}>
                  {kinds.map((option) => (
                    <option key={option}>{option}</option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={`${idPrefix}-value`}>Secret value</label>
                <input id={`${idPrefix}-value`} type="password" value={secret} onChange={(event) => setSecret(event.target.value)} autoComplete="off" />
              </div>
              <ErrorBox error={problem} />
              <button type="button" onClick={() => void create()} disabled={busy}>
                Create credential
              </button>
            </div>
          ) : null}
        </>
      ) : null}
    </fieldset>
  );
}

function ConnectionDetail({ id }: { id: string }) {
  const { api } = useConsole();
  const connection = useGet<Connection>(`/integrations/connections/${encodeURIComponent(id)}`);
  const checks = useCursorList<HealthPoint>(`/integrations/connections/${encodeURIComponent(id)}/health-checks`, {}, { limit: 50 });
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useLiveRefresh(
    () => {
      connection.reload();
      checks.reload();
    },
    (event) => event.data.includes(id),
  );

  async function act(action: 'test' | 'retire') {
    if (action === 'retire' && !window.confirm(`Retire ${id}? A retired connection runs nothing and cannot come back.`)) return;
    setBusy(true);
    setProblem(null);
    try {
      const answer = await api.send<Connection>('POST', `/integrations/connections/${encodeURIComponent(id)}/${action}`);
      setNotice(
        action === 'test'
          ? answer.lastTest?.passed
            ? 'The test passed.'
            : `The test failed: ${answer.lastTest?.category ?? ''} ${answer.lastTest?.code ?? ''} ${answer.lastTest?.message ?? ''}`
          : 'Retired.',
      );
      connection.reload();
      checks.reload();
    } catch (error) {
      setProblem(describeError(error));
    } finally {
      setBusy(false);
    }
  }

  const data = connection.data;
  const webhookUrl = data?.webhook ? (data.webhook.url ?? `${window.location.origin}/webhooks/ingest/${data.id}`) : null;
  return (
    <>
      <p>
        <a href="#/connections">← Connections</a>
      </p>
      <h1>{data?.displayName ?? id}</h1>
      <ErrorBox error={connection.error} what="Connection" />
      {data ? (
        <>
          <Section
            title="Connection"
            actions={
              <IfCan control="testConnection">
                <button type="button" onClick={() => void act('test')} disabled={busy || data.status === 'Retired'}>
                  Test connection
                </button>
                <button type="button" className="danger" onClick={() => void act('retire')} disabled={busy || data.status === 'Retired'}>
                  Retire connection
                </button>
              </IfCan>
            }
          >
            <Notice message={notice} />
            <ErrorBox error={problem} />
            <dl className="facts">
              <dt>Id</dt>
              <dd className="mono">{data.id}</dd>
              <dt>Provider</dt>
              <dd>{data.providerId}</dd>
              <dt>Status</dt>
              <dd>
                <Badge value={data.status} />
              </dd>
              <dt>Health</dt>
              <dd>
                <Badge value={data.health} />
              </dd>
              <dt>Auth mode</dt>
              <dd>{data.authMode}</dd>
              <dt>Credential</dt>
              <dd className="mono">{data.credentialId ?? '—'}</dd>
              <dt>Last test</dt>
              <dd>
                {data.lastTest ? (
                  <>
                    {data.lastTest.passed ? 'passed' : `failed: ${data.lastTest.category ?? ''} ${data.lastTest.code ?? ''} ${data.lastTest.message ?? ''}`} (
                    <When at={data.lastTest.at} />)
                    {data.lastTest.runId ? (
                      <>
                        {' '}
                        <a href={href(`runs/${data.lastTest.runId}`)}>run</a>
                      </>
                    ) : null}
                  </>
                ) : (
                  '—'
                )}
              </dd>
              <dt>Last checked</dt>
              <dd>
                <When at={data.lastCheckedAt} />
              </dd>
              <dt>Established</dt>
              <dd>
                <When at={data.establishedAt} />
              </dd>
              <dt>Configuration</dt>
              <dd>
                <pre className="mono small">{JSON.stringify(data.configuration, null, 2)}</pre>
              </dd>
            </dl>
            <p>
              <a href={href('runs', { connectionId: data.id })}>Runs of this connection</a> · <a href={href('syncs', { connectionId: data.id })}>Syncs</a>
              {data.providerId === 'mcp' ? (
                <>
                  {' '}
                  · <a href={href('tools', { connectionId: data.id })}>MCP tools</a>
                </>
              ) : null}{' '}
              · <a href={href('deliveries', { connectionId: data.id, direction: 'in' })}>Inbound deliveries</a>
            </p>
          </Section>
          {webhookUrl ? (
            <Section title="Inbound webhook URL">
              <p>Paste this URL into the vendor's webhook settings; the vendor's signature (secret {data.webhook?.secretCredentialId}) authenticates its calls.</p>
              <div className="copy">
                <label htmlFor="webhook-url" className="visually-hidden">
                  Webhook URL
                </label>
                <input id="webhook-url" readOnly value={webhookUrl} onFocus={(event) => event.target.select()} />
                <button type="button" onClick={() => void navigator.clipboard?.writeText(webhookUrl).then(() => setNotice('Webhook URL copied.'))}>
                  Copy webhook URL
                </button>
              </div>
            </Section>
          ) : null}
        </>
      ) : null}
      <Section title="Health history">
        <ErrorBox error={checks.error} what="Health checks" />
        {checks.error ? null : <HealthChart points={checks.items} title={`Health checks of ${id}, latency over time`} />}
        {checks.items.length > 0 ? (
          <details>
            <summary>Health checks as a table</summary>
            <Table caption="Health checks" head={['Checked', 'Passed', 'Health', 'Latency', 'Status code', 'Failure']}>
              {checks.items.map((check, index) => (
                <tr key={`${check.checkedAt}-${index}`}>
                  <td>
                    <When at={check.checkedAt} />
                  </td>
                  <td>{check.passed ? 'yes' : 'no'}</td>
                  <td>
                    <Badge value={check.health} />
                  </td>
                  <td>{check.latencyMs ?? '—'} ms</td>
                  <td>{check.statusCode ?? '—'}</td>
                  <td>{check.failureCategory ?? '—'}</td>
                </tr>
              ))}
            </Table>
          </details>
        ) : null}
        <Pager list={checks} label="health checks" />
      </Section>
    </>
  );
}
