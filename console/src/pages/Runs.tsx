import { Badge, ErrorBox, Pager, Section, Table, When } from '../components/ui';
import { useCursorList, useGet, useLiveRefresh } from '../context';
import { href, navigate, type Route } from '../router';
import { FAILURE_CATEGORIES, RUN_STATES, type Run } from '../types';

export function RunsPage({ route }: { route: Route }) {
  const id = route.segments[1];
  if (id) return <RunDetail id={id} />;
  return <RunList route={route} />;
}

function RunList({ route }: { route: Route }) {
  const filter = {
    status: route.params.get('status') ?? '',
    failureCategory: route.params.get('failureCategory') ?? '',
    connectionId: route.params.get('connectionId') ?? '',
  };
  const list = useCursorList<Run>('/integrations/runs', filter);
  useLiveRefresh(list.reload, (event) => /Run|IntegrationFailed/.test(event.type));
  const set = (key: keyof typeof filter, value: string) => navigate('runs', { ...filter, [key]: value }, true);
  return (
    <>
      <h1>Runs</h1>
      <Section title="Filter">
        <form className="filters" aria-label="Filter runs" onSubmit={(event) => event.preventDefault()}>
          <div className="field">
            <label htmlFor="run-filter-status">Status</label>
            <select id="run-filter-status" value={filter.status} onChange={(event) => set('status', event.target.value)}>
              <option value="">Any</option>
              {RUN_STATES.map((state) => (
                <option key={state}>{state}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="run-filter-category">Failure category</label>
            <select id="run-filter-category" value={filter.failureCategory} onChange={(event) => set('failureCategory', event.target.value)}>
              <option value="">Any</option>
              {FAILURE_CATEGORIES.map((category) => (
                <option key={category}>{category}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="run-filter-connection">Connection id</label>
            <input id="run-filter-connection" defaultValue={filter.connectionId} placeholder="conn-…" onBlur={(event) => set('connectionId', event.target.value.trim())} />
          </div>
        </form>
      </Section>
      <Section title="Matching runs">
        <ErrorBox error={list.error} what="Runs" />
        <Table caption="Runs" head={['Run', 'Operation', 'Connection', 'State', 'Attempts', 'Latency', 'Failure', 'Created']}>
          {list.items.map((run) => (
            <tr key={run.id}>
              <td>
                <a href={href(`runs/${run.id}`)} className="mono small">
                  {run.id}
                </a>
              </td>
              <td className="mono small">{run.operation}</td>
              <td className="mono small">
                <a href={href(`connections/${run.connectionId}`)}>{run.connectionId}</a>
              </td>
              <td>
                <Badge value={run.state} />
              </td>
              <td>{run.attempts}</td>
              <td>{run.latencyMs ?? '—'} ms</td>
              <td className="small">{run.failure ? `${run.failure.category} ${run.failure.code}` : '—'}</td>
              <td>
                <When at={run.createdAt} />
              </td>
            </tr>
          ))}
        </Table>
        <Pager list={list} label="runs" />
      </Section>
    </>
  );
}

function RunDetail({ id }: { id: string }) {
  const run = useGet<Run>(`/integrations/runs/${encodeURIComponent(id)}`);
  useLiveRefresh(run.reload, (event) => event.data.includes(id));
  const data = run.data;
  return (
    <>
      <p>
        <a href="#/runs">← Runs</a>
      </p>
      <h1>Run {id}</h1>
      <ErrorBox error={run.error} what="Run" />
      {data ? (
        <>
          <Section title="Run">
            <dl className="facts">
              <dt>State</dt>
              <dd>
                <Badge value={data.state} />
              </dd>
              <dt>Operation</dt>
              <dd className="mono">{data.operation}</dd>
              <dt>Connection</dt>
              <dd className="mono">
                <a href={href(`connections/${data.connectionId}`)}>{data.connectionId}</a> ({data.providerId})
              </dd>
              <dt>Mode / purpose</dt>
              <dd>
                {data.mode} / {data.purpose}
              </dd>
              <dt>Response status</dt>
              <dd>{data.responseStatus ?? '—'}</dd>
              <dt>Latency</dt>
              <dd>{data.latencyMs ?? '—'} ms</dd>
              <dt>External reference</dt>
              <dd className="mono">{data.externalRef ?? '—'}</dd>
              <dt>Trace</dt>
              <dd className="mono">{data.traceId ?? '—'}</dd>
              {data.model ? (
                <>
                  <dt>Model</dt>
                  <dd>
                    {data.model.name ?? '—'}: {data.model.promptTokens ?? '?'} prompt + {data.model.completionTokens ?? '?'} completion tokens
                  </dd>
                </>
              ) : null}
              <dt>Created / started / completed</dt>
              <dd>
                <When at={data.createdAt} /> / <When at={data.startedAt} /> / <When at={data.completedAt} />
              </dd>
            </dl>
          </Section>
          <Section title="Attempts">
            {(data.attemptHistory ?? []).length === 0 ? (
              <p>No attempts recorded.</p>
            ) : (
              <ol className="timeline">
                {(data.attemptHistory ?? []).map((attempt) => (
                  <li key={`${attempt.attempt}-${attempt.startedAt}`} className={attempt.failureCategory ? 'bad' : 'ok'}>
                    <strong>Attempt {attempt.attempt}</strong> <When at={attempt.startedAt} />: {attempt.statusCode ?? 'no answer'} in {attempt.latencyMs} ms
                    {attempt.failureCategory ? ` — ${attempt.failureCategory}` : ''}
                    {attempt.error ? <div className="small">{attempt.error}</div> : null}
                  </li>
                ))}
              </ol>
            )}
          </Section>
          {(data.failures ?? []).length > 0 ? (
            <Section title="Failures">
              <Table caption="Failures" head={['When', 'Category', 'Code', 'Message', 'Retryable']}>
                {(data.failures ?? []).map((failure, index) => (
                  <tr key={index}>
                    <td>
                      <When at={failure.occurredAt} />
                    </td>
                    <td>
                      <Badge value={failure.category} />
                    </td>
                    <td className="mono small">{failure.code}</td>
                    <td className="small">{failure.message}</td>
                    <td>{failure.retryable ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </Table>
            </Section>
          ) : null}
        </>
      ) : null}
    </>
  );
}
