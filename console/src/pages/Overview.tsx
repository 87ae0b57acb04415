import { useGet, useLiveRefresh } from '../context';
import { Badge, ErrorBox, Section, Table, When } from '../components/ui';
import type { Overview as OverviewData } from '../types';

function Counts({ title, counts }: { title: string; counts: Record<string, number> }) {
  const entries = Object.entries(counts);
  return (
    <div className="stat">
      <h3>{title}</h3>
      {entries.length === 0 ? (
        <p>None</p>
      ) : (
        <dl className="counts">
          {entries.map(([key, value]) => (
            <div key={key}>
              <dt>
                <Badge value={key} />
              </dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

function QueueTable({ queues, caption }: { queues: OverviewData['queues']; caption: string }) {
  return (
    <Table caption={caption} head={['Queue', 'Depth']}>
      {queues.map((queue) => (
        <tr key={queue.name}>
          <td className="mono small break">{queue.name}</td>
          <td>{queue.depth ?? 'unknown'}</td>
        </tr>
      ))}
    </Table>
  );
}

/** The queues with messages waiting (or whose depth is unknown) first; the empty ones folded away. */
function QueueDepths({ queues }: { queues: OverviewData['queues'] }) {
  if (queues.length === 0) return <p>No queues reported.</p>;
  const busy = queues.filter((queue) => queue.depth !== 0).sort((a, b) => (b.depth ?? Infinity) - (a.depth ?? Infinity));
  return (
    <>
      {busy.length === 0 ? <p>All {queues.length} queues are empty.</p> : <QueueTable queues={busy} caption="Queues with messages waiting" />}
      <details>
        <summary>All {queues.length} queues</summary>
        <QueueTable queues={queues} caption="All queues" />
      </details>
    </>
  );
}

export function OverviewPage() {
  const overview = useGet<OverviewData>('/integrations/overview');
  useLiveRefresh(overview.reload);
  const data = overview.data;
  return (
    <>
      <h1>Overview</h1>
      <ErrorBox error={overview.error} what="Overview" />
      {!data && overview.loading ? <p>Loading…</p> : null}
      {data ? (
        <>
          <Section title="Connections">
            <div className="stats">
              <div className="stat">
                <h3>Total</h3>
                <p className="big">{data.connections.total}</p>
              </div>
              <Counts title="By status" counts={data.connections.byStatus} />
              <Counts title="By health" counts={data.connections.byHealth} />
            </div>
          </Section>
          <Section title="Degraded connections">
            {data.connections.degraded.length === 0 ? (
              <p>Every connection is healthy.</p>
            ) : (
              <Table caption="Degraded connections" head={['Connection', 'Provider', 'Status', 'Health', 'Last checked', 'Why']}>
                {data.connections.degraded.map((connection) => (
                  <tr key={connection.id}>
                    <td>
                      <a href={`#/connections/${connection.id}`}>{connection.displayName}</a>
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
                    <td>{connection.lastFailure ? `${connection.lastFailure.category} ${connection.lastFailure.code}: ${connection.lastFailure.message}` : '—'}</td>
                  </tr>
                ))}
              </Table>
            )}
          </Section>
          <div className="two">
            <Section title="Open circuits">
              {data.circuits.length === 0 ? (
                <p>No circuit is open.</p>
              ) : (
                <Table caption="Open circuits" head={['Circuit', 'Connection', 'State']}>
                  {data.circuits.map((circuit) => (
                    <tr key={circuit.name}>
                      <td className="mono">{circuit.name}</td>
                      <td>{circuit.connectionId ? <a href={`#/connections/${circuit.connectionId}`}>{circuit.connectionId}</a> : '—'}</td>
                      <td>
                        <Badge value={circuit.state} />
                      </td>
                    </tr>
                  ))}
                </Table>
              )}
            </Section>
            <Section title="Queue depths">
              <QueueDepths queues={data.queues} />
            </Section>
          </div>
          <Section title="Failures in the last hour">
            <div className="stats">
              <div className="stat">
                <h3>Runs</h3>
                <p className="big">
                  <a href="#/runs?status=Failed">{data.failuresLastHour.runs}</a>
                </p>
              </div>
              <div className="stat">
                <h3>Deliveries</h3>
                <p className="big">
                  <a href="#/deliveries?status=DeadLettered">{data.failuresLastHour.deliveries}</a>
                </p>
              </div>
              <Counts title="By category" counts={data.failuresLastHour.byCategory} />
            </div>
          </Section>
        </>
      ) : null}
    </>
  );
}
