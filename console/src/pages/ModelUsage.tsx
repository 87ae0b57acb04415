import { UsageChart, type UsageRow } from '../components/charts';
import { ConnectionPicker } from '../components/ConnectionPicker';
import { ErrorBox, Section, Table } from '../components/ui';
import { useGet, useLiveRefresh } from '../context';
import { navigate, type Route } from '../router';

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function defaultRange(now = new Date()): { from: string; to: string } {
  return { from: day(new Date(now.getTime() - 13 * 86_400_000)), to: day(now) };
}

export function ModelUsagePage({ route }: { route: Route }) {
  const fallback = defaultRange();
  const filter = {
    from: route.params.get('from') ?? fallback.from,
    to: route.params.get('to') ?? fallback.to,
    connectionId: route.params.get('connectionId') ?? '',
  };
  const usage = useGet<{ items: UsageRow[] }>('/integrations/model-usage', filter);
  useLiveRefresh(usage.reload, (event) => event.type === 'IntegrationRunCompleted', 2000);
  const set = (key: keyof typeof filter, value: string) => navigate('model-usage', { ...filter, [key]: value }, true);
  const rows = usage.data?.items ?? [];
  const totals = rows.reduce((sum, row) => ({ tokens: sum.tokens + row.totalTokens, requests: sum.requests + row.requests }), { tokens: 0, requests: 0 });
  return (
    <>
      <h1>Model usage</h1>
      <Section title="Period">
        <form className="filters" aria-label="Model usage period" onSubmit={(event) => event.preventDefault()}>
          <div className="field">
            <label htmlFor="usage-from">From</label>
            <input id="usage-from" type="date" value={filter.from} max={filter.to} onChange={(event) => event.target.value && set('from', event.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="usage-to">To</label>
            <input id="usage-to" type="date" value={filter.to} min={filter.from} onChange={(event) => event.target.value && set('to', event.target.value)} />
          </div>
          <ConnectionPicker id="usage-connection" label="Connection (all when none)" value={filter.connectionId} onChange={(id) => set('connectionId', id)} />
        </form>
      </Section>
      <Section title="Tokens per day per connection">
        <ErrorBox error={usage.error} what="Model usage" />
        {usage.data ? (
          <>
            <p>
              {totals.tokens.toLocaleString()} tokens in {totals.requests.toLocaleString()} requests.
            </p>
            <UsageChart rows={rows} />
            {rows.length > 0 ? (
              <details>
                <summary>Usage as a table</summary>
                <Table caption="Model usage" head={['Day', 'Connection', 'Prompt tokens', 'Completion tokens', 'Total tokens', 'Requests']}>
                  {rows.map((row) => (
                    <tr key={`${row.day}-${row.connectionId}`}>
                      <td>{row.day}</td>
                      <td className="mono small">{row.connectionId}</td>
                      <td>{row.promptTokens.toLocaleString()}</td>
                      <td>{row.completionTokens.toLocaleString()}</td>
                      <td>{row.totalTokens.toLocaleString()}</td>
                      <td>{row.requests.toLocaleString()}</td>
                    </tr>
                  ))}
                </Table>
              </details>
            ) : null}
          </>
        ) : null}
      </Section>
    </>
  );
}
