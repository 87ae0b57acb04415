import { useState } from 'react';
import { describeError } from '../api';
import { ConnectionPicker } from '../components/ConnectionPicker';
import { Badge, ErrorBox, Notice, Section, When } from '../components/ui';
import { IfCan, useConsole, useGet, useLiveRefresh } from '../context';
import { navigate, type Route } from '../router';
import type { Sync } from '../types';

export function SyncsPage({ route }: { route: Route }) {
  const connectionId = route.params.get('connectionId') ?? '';
  return (
    <>
      <h1>Syncs</h1>
      <Section title="Which connection">
        <ConnectionPicker id="sync-connection" value={connectionId} onChange={(id) => navigate('syncs', { connectionId: id }, true)} />
      </Section>
      {connectionId ? <SyncList connectionId={connectionId} /> : <p>Choose a connection to see its sync sources.</p>}
    </>
  );
}

function SyncList({ connectionId }: { connectionId: string }) {
  const syncs = useGet<{ items: Sync[] }>(`/integrations/connections/${encodeURIComponent(connectionId)}/syncs`);
  useLiveRefresh(syncs.reload, (event) => event.type === 'ExternalRecordsChanged' || event.data.includes(connectionId));
  return (
    <>
      <ErrorBox error={syncs.error} what="Syncs" />
      {syncs.data?.items.length === 0 ? <p>This connection's provider has no sync sources.</p> : null}
      {(syncs.data?.items ?? []).map((sync) => (
        <SyncCard key={sync.name} connectionId={connectionId} sync={sync} onChanged={syncs.reload} />
      ))}
    </>
  );
}

function SyncCard({ connectionId, sync, onChanged }: { connectionId: string; sync: Sync; onChanged(): void }) {
  const { api } = useConsole();
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [interval, setIntervalText] = useState(String(Math.round(sync.intervalMs / 1000)));
  const base = `/integrations/connections/${encodeURIComponent(connectionId)}/syncs/${encodeURIComponent(sync.name)}`;
  const key = sync.name.replace(/[^A-Za-z0-9_-]/g, '-');

  async function call(work: () => Promise<unknown>, done: string) {
    setProblem(null);
    try {
      await work();
      setNotice(done);
      onChanged();
    } catch (error) {
      setProblem(describeError(error));
    }
  }

  function configure(enabled: boolean) {
    const seconds = Number(interval);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 7 * 24 * 3600) return setProblem('Interval must be a whole number of seconds from 1 to 604800');
    void call(() => api.send('PUT', base, { enabled, intervalMs: seconds * 1000 }), enabled ? 'Schedule saved.' : 'Sync disabled.');
  }

  return (
    <Section
      title={`Sync ${sync.name}`}
      actions={
        <IfCan control="runSyncs">
          <button type="button" onClick={() => void call(() => api.send('POST', `${base}/run`), 'Run requested.')} aria-label={`Run now: ${sync.name}`}>
            Run now
          </button>
        </IfCan>
      }
    >
      <p className="help">{sync.description}</p>
      <Notice message={notice} />
      <ErrorBox error={problem} />
      <dl className="facts">
        <dt>State</dt>
        <dd>
          <Badge value={sync.state} /> {sync.enabled ? 'enabled' : 'disabled'}
          {sync.configured ? '' : ' (not configured)'}, {sync.incremental ? `incremental, full pass every ${sync.fullPassEvery}` : 'full passes'}
        </dd>
        <dt>Pass in progress</dt>
        <dd>
          {sync.pass ? (
            <>
              #{sync.pass.number} {sync.pass.kind ?? ''} — cursor <span className="mono">{sync.pass.cursor ?? '(start)'}</span>; {sync.pass.counts.pages} pages,{' '}
              {sync.pass.counts.seen} seen, {sync.pass.counts.created} created, {sync.pass.counts.updated} updated, {sync.pass.counts.deleted} deleted
            </>
          ) : (
            'none'
          )}
        </dd>
        <dt>Watermark</dt>
        <dd className="mono">{sync.watermark ?? '—'}</dd>
        <dt>Last pass</dt>
        <dd>
          {sync.lastPass ? (
            <>
              #{sync.lastPass.number} {sync.lastPass.kind}, <When at={sync.lastPass.completedAt} />: {sync.lastPass.seen} seen, {sync.lastPass.created} created,{' '}
              {sync.lastPass.updated} updated, {sync.lastPass.deleted} deleted
            </>
          ) : (
            '—'
          )}
        </dd>
        <dt>Last error</dt>
        <dd>{sync.lastError ? `${sync.lastError.category} ${sync.lastError.code}: ${sync.lastError.message}` : '—'}</dd>
        <dt>Last run / next run</dt>
        <dd>
          <When at={sync.lastRunAt} /> / <When at={sync.nextRunAt} />
          {sync.runRequestedAt ? ' (a run is requested)' : ''}
        </dd>
      </dl>
      <IfCan control="configureSyncs">
        <div className="filters">
          <div className="field">
            <label htmlFor={`sync-interval-${key}`}>Interval of {sync.name} (seconds)</label>
            <input id={`sync-interval-${key}`} type="number" min={1} step={1} value={interval} onChange={(event) => setIntervalText(event.target.value)} />
          </div>
          <div className="field">
            <button type="button" onClick={() => configure(true)}>
              {sync.enabled ? `Save schedule of ${sync.name}` : `Enable ${sync.name}`}
            </button>
          </div>
          {sync.enabled ? (
            <div className="field">
              <button type="button" onClick={() => configure(false)}>
                Disable {sync.name}
              </button>
            </div>
          ) : null}
        </div>
      </IfCan>
    </Section>
  );
}
