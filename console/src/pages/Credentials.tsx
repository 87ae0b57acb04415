import { useState } from 'react';
import { describeError } from '../api';
import { CREDENTIAL_KINDS } from '../connection-schema';
import { SchemaForm } from '../components/SchemaForm';
import { Badge, ErrorBox, Notice, Pager, Section, Table, When } from '../components/ui';
import { IfCan, useConsole, useCursorList, useGet, useLiveRefresh } from '../context';
import { href, type Route } from '../router';
import type { JsonSchema } from '../schema';
import type { Credential } from '../types';

const DAY = 86_400_000;

export const CREDENTIAL_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', title: 'Name', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$' },
    kind: { type: 'string', title: 'Kind', enum: [...CREDENTIAL_KINDS] },
    value: { type: 'string', title: 'Secret value', writeOnly: true, description: 'Stored in the secret store; only its fingerprint is kept and shown' },
    secretRef: {
      type: 'string',
      title: 'Existing secret reference',
      description: 'Instead of a value: a secret already in the store, name or name/version',
      pattern: '^[0-9A-Za-z-]{1,127}(/[0-9a-f]{32})?$',
    },
    rotationPolicy: {
      type: 'object',
      title: 'Rotation policy',
      properties: {
        intervalMs: { type: 'integer', title: 'Rotate every (ms)', minimum: 60000, maximum: 366 * DAY },
        overlapMs: { type: 'integer', title: 'Old version valid for (ms)', minimum: 0, maximum: 30 * DAY },
      },
    },
  },
};

function duration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms % DAY === 0) return `${ms / DAY} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  return `${Math.round(ms / 60000)} min`;
}

export function CredentialsPage({ route }: { route: Route }) {
  const id = route.segments[1];
  if (id) return <CredentialDetail id={id} />;
  return <CredentialList />;
}

function CredentialList() {
  const { api } = useConsole();
  const list = useCursorList<Credential>('/integrations/credentials', {}, { paged: false });
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useLiveRefresh(list.reload, (event) => event.type.startsWith('Credential'));

  async function rotate(credential: Credential) {
    setProblem(null);
    try {
      const rotation = await api.send<{ rotationId: string; status: string }>('POST', '/integrations/credentials/rotate', { credentialId: credential.id });
      setNotice(`Rotation ${rotation.rotationId} of ${credential.name}: ${rotation.status}.`);
      list.reload();
    } catch (error) {
      setProblem(describeError(error));
    }
  }

  return (
    <>
      <h1>Credentials</h1>
      <IfCan control="createCredential">
        <div className="toolbar">
          <button type="button" className="primary" aria-expanded={creating} onClick={() => setCreating(!creating)}>
            {creating ? 'Close the new credential form' : 'New credential'}
          </button>
        </div>
        {creating ? (
          <Section title="Create a credential">
            <SchemaForm
              schema={CREDENTIAL_SCHEMA}
              title="New credential"
              submitLabel="Create credential"
              extraErrors={(value): Record<string, string> =>
                value.value === undefined && value.secretRef === undefined ? { value: 'Give a secret value or an existing secret reference' } : {}
              }
              onSubmit={async (value) => {
                try {
                  const created = await api.send<Credential>('POST', '/integrations/credentials', value);
                  setNotice(`Created ${created.name} (${created.id}), fingerprint ${created.fingerprint}.`);
                  setCreating(false);
                  list.reload();
                } catch (error) {
                  return describeError(error);
                }
              }}
            />
          </Section>
        ) : null}
      </IfCan>
      <Notice message={notice} />
      <ErrorBox error={problem} />
      <Section title="All credentials">
        <ErrorBox error={list.error} what="Credentials" />
        <Table caption="Credentials" head={['Credential', 'Kind', 'Reference', 'Fingerprint', 'Status', 'Rotation', 'Next rotation', 'Actions']}>
          {list.items.map((credential) => (
            <tr key={credential.id}>
              <td>
                <a href={href(`credentials/${credential.id}`)}>{credential.name}</a>
                <div className="mono small">{credential.id}</div>
              </td>
              <td>{credential.kind}</td>
              <td className="mono small break">
                {credential.secretRef} v{credential.version.slice(0, 8)}
              </td>
              <td className="mono small">{credential.fingerprint}</td>
              <td>
                <Badge value={credential.status} />
              </td>
              <td className="small">
                {credential.rotationPolicy?.intervalMs ? `every ${duration(credential.rotationPolicy.intervalMs)}` : 'manual'}
                {credential.previousVersionValidUntil ? (
                  <div>
                    previous valid until <When at={credential.previousVersionValidUntil} />
                  </div>
                ) : null}
                {credential.lastRotatedAt ? (
                  <div>
                    last <When at={credential.lastRotatedAt} />
                  </div>
                ) : null}
              </td>
              <td>
                <When at={credential.nextRotationAt} />
              </td>
              <td>
                <IfCan control="rotateCredential">
                  <button type="button" onClick={() => void rotate(credential)} aria-label={`Rotate ${credential.name}`}>
                    Rotate
                  </button>
                </IfCan>
              </td>
            </tr>
          ))}
        </Table>
        <Pager list={list} label="credentials" />
      </Section>
    </>
  );
}

function CredentialDetail({ id }: { id: string }) {
  const credential = useGet<Credential>(`/integrations/credentials/${encodeURIComponent(id)}`);
  useLiveRefresh(credential.reload, (event) => event.type.startsWith('Credential'));
  const data = credential.data;
  return (
    <>
      <p>
        <a href="#/credentials">← Credentials</a>
      </p>
      <h1>{data?.name ?? id}</h1>
      <ErrorBox error={credential.error} what="Credential" />
      {data ? (
        <>
          <Section title="Credential">
            <dl className="facts">
              <dt>Id</dt>
              <dd className="mono">{data.id}</dd>
              <dt>Kind</dt>
              <dd>{data.kind}</dd>
              <dt>Origin</dt>
              <dd>{data.origin}</dd>
              <dt>Secret reference</dt>
              <dd className="mono break">
                {data.secretRef} (version {data.version})
              </dd>
              <dt>Fingerprint</dt>
              <dd className="mono">{data.fingerprint}</dd>
              <dt>Status</dt>
              <dd>
                <Badge value={data.status} />
              </dd>
              <dt>Rotation policy</dt>
              <dd>
                {data.rotationPolicy?.intervalMs ? `every ${duration(data.rotationPolicy.intervalMs)}` : 'manual'}
                {data.rotationPolicy?.overlapMs !== undefined ? `, old version valid ${duration(data.rotationPolicy.overlapMs)}` : ''}
              </dd>
              <dt>Next rotation</dt>
              <dd>
                <When at={data.nextRotationAt} />
              </dd>
              <dt>Previous version</dt>
              <dd className="mono">
                {data.previousVersion ?? '—'}
                {data.previousVersionValidUntil ? (
                  <>
                    {' '}
                    until <When at={data.previousVersionValidUntil} />
                  </>
                ) : null}
              </dd>
            </dl>
          </Section>
          <Section title="Rotations">
            <Table caption="Rotations" head={['Rotation', 'Trigger', 'Status', 'Attempts', 'Failure', 'Started', 'Completed']}>
              {(data.rotations ?? []).map((rotation) => (
                <tr key={rotation.rotationId}>
                  <td className="mono small">{rotation.rotationId}</td>
                  <td>{rotation.trigger}</td>
                  <td>
                    <Badge value={rotation.status} />
                  </td>
                  <td>{rotation.attempts}</td>
                  <td className="small">{rotation.failureCode ? `${rotation.failureCode}: ${rotation.failureMessage ?? ''}` : '—'}</td>
                  <td>
                    <When at={rotation.createdAt} />
                  </td>
                  <td>
                    <When at={rotation.completedAt} />
                  </td>
                </tr>
              ))}
            </Table>
          </Section>
        </>
      ) : null}
    </>
  );
}
