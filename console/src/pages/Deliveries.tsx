import { useState } from 'react';
import { describeError } from '../api';
import { Badge, ErrorBox, Notice, Pager, Section, Table, When } from '../components/ui';
import { IfCan, useCan, useConsole, useCursorList, useGet, useLiveRefresh } from '../context';
import { href, navigate, type Route } from '../router';
import type { SseEvent } from '../sse';
import { DELIVERY_STATUSES, type Delivery, type Subscription } from '../types';

const DELIVERY_EVENTS = /Webhook|Delivery|Delivered|IntegrationFailed/;
const isDeliveryEvent = (event: SseEvent) => DELIVERY_EVENTS.test(event.type);

export function DeliveriesPage({ route }: { route: Route }) {
  const id = route.segments[1];
  if (id) return <DeliveryDetail id={id} />;
  return <DeliveryList route={route} />;
}

function DeliveryList({ route }: { route: Route }) {
  const { api } = useConsole();
  const filter = {
    subscriptionId: route.params.get('subscriptionId') ?? '',
    status: route.params.get('status') ?? '',
    direction: route.params.get('direction') ?? '',
    connectionId: route.params.get('connectionId') ?? '',
  };
  const list = useCursorList<Delivery>('/webhooks/deliveries', filter);
  const subscriptions = useGet<{ items: Subscription[] }>(useCan('viewSubscriptions') ? '/webhooks/subscriptions' : null);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useLiveRefresh(list.reload, isDeliveryEvent);
  const set = (key: keyof typeof filter, value: string) => navigate('deliveries', { ...filter, [key]: value }, true);

  async function replay(delivery: Delivery) {
    setProblem(null);
    try {
      await api.send('POST', `/webhooks/deliveries/${delivery.id}/replay`);
      setNotice(`Replaying ${delivery.id}.`);
      list.reload();
    } catch (error) {
      setProblem(describeError(error));
    }
  }

  async function replayAll() {
    if (!filter.subscriptionId) return;
    setProblem(null);
    try {
      const answer = await api.send<{ replayed: number }>('POST', '/webhooks/deliveries/replay', { subscriptionId: filter.subscriptionId });
      setNotice(`Replaying ${answer.replayed} dead-lettered deliveries of ${filter.subscriptionId}.`);
      list.reload();
    } catch (error) {
      setProblem(describeError(error));
    }
  }

  return (
    <>
      <h1>Deliveries</h1>
      <Section title="Filter">
        <form className="filters" aria-label="Filter deliveries" onSubmit={(event) => event.preventDefault()}>
          <div className="field">
            <label htmlFor="delivery-filter-subscription">Subscription</label>
            {subscriptions.data ? (
              <select id="delivery-filter-subscription" value={filter.subscriptionId} onChange={(event) => set('subscriptionId', event.target.value)}>
                <option value="">Any</option>
                {subscriptions.data.items.map((subscription) => (
                  <option key={subscription.id} value={subscription.id}>
                    {subscription.url} ({subscription.id.slice(0, 12)}…)
                  </option>
                ))}
              </select>
            ) : (
              <input
                id="delivery-filter-subscription"
                defaultValue={filter.subscriptionId}
                placeholder="sub-…"
                onBlur={(event) => set('subscriptionId', event.target.value.trim())}
              />
            )}
          </div>
          <div className="field">
            <label htmlFor="delivery-filter-status">Status</label>
            <select id="delivery-filter-status" value={filter.status} onChange={(event) => set('status', event.target.value)}>
              <option value="">Any</option>
              {DELIVERY_STATUSES.map((status) => (
                <option key={status}>{status}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="delivery-filter-direction">Direction</label>
            <select id="delivery-filter-direction" value={filter.direction} onChange={(event) => set('direction', event.target.value)}>
              <option value="">Both</option>
              <option value="in">in (vendor callbacks)</option>
              <option value="out">out (to subscriptions)</option>
            </select>
          </div>
        </form>
        <IfCan control="replayDeliveries">
          <div className="toolbar">
            <button type="button" className="danger" onClick={() => void replayAll()} disabled={!filter.subscriptionId} aria-describedby="replay-all-help">
              Replay all dead-lettered
            </button>
            <small id="replay-all-help" className="help">
              {filter.subscriptionId ? `Every dead-lettered delivery of ${filter.subscriptionId} gets a new attempt series.` : 'Choose a subscription first.'}
            </small>
          </div>
        </IfCan>
      </Section>
      <Notice message={notice} />
      <ErrorBox error={problem} />
      <Section title="Matching deliveries">
        <ErrorBox error={list.error} what="Deliveries" />
        <Table caption="Deliveries" head={['Delivery', 'Event type', 'Direction', 'Status', 'Attempts', 'Last error', 'Created', 'Actions']}>
          {list.items.map((delivery) => (
            <tr key={delivery.id}>
              <td>
                <a href={href(`deliveries/${delivery.id}`)} className="mono small">
                  {delivery.id}
                </a>
              </td>
              <td className="mono small">{delivery.eventType}</td>
              <td>{delivery.direction}</td>
              <td>
                <Badge value={delivery.status} />
              </td>
              <td>{delivery.attemptCount}</td>
              <td className="small">{delivery.lastError ?? '—'}</td>
              <td>
                <When at={delivery.createdAt} />
              </td>
              <td>
                {delivery.direction === 'out' ? (
                  <IfCan control="replayDeliveries">
                    <button type="button" onClick={() => void replay(delivery)} aria-label={`Replay ${delivery.id}`}>
                      Replay
                    </button>
                  </IfCan>
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
        <Pager list={list} label="deliveries" />
      </Section>
    </>
  );
}

function DeliveryDetail({ id }: { id: string }) {
  const { api } = useConsole();
  const delivery = useGet<Delivery>(`/webhooks/deliveries/${encodeURIComponent(id)}`);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useLiveRefresh(delivery.reload, (event) => isDeliveryEvent(event) && event.data.includes(id));
  const data = delivery.data;
  return (
    <>
      <p>
        <a href="#/deliveries">← Deliveries</a>
      </p>
      <h1>Delivery {id}</h1>
      <ErrorBox error={delivery.error} what="Delivery" />
      <Notice message={notice} />
      <ErrorBox error={problem} />
      {data ? (
        <>
          <Section
            title="Delivery"
            actions={
              data.direction === 'out' ? (
                <IfCan control="replayDeliveries">
                  <button
                    type="button"
                    onClick={() =>
                      void api.send('POST', `/webhooks/deliveries/${data.id}/replay`).then(
                        () => {
                          setNotice('Replaying: a new attempt series has started.');
                          delivery.reload();
                        },
                        (error: unknown) => setProblem(describeError(error)),
                      )
                    }
                  >
                    Replay
                  </button>
                </IfCan>
              ) : null
            }
          >
            <dl className="facts">
              <dt>Status</dt>
              <dd>
                <Badge value={data.status} />
              </dd>
              <dt>Direction</dt>
              <dd>{data.direction}</dd>
              <dt>Event</dt>
              <dd className="mono">
                {data.eventType} ({data.eventId})
              </dd>
              <dt>Subscription</dt>
              <dd className="mono">{data.subscriptionId ?? '—'}</dd>
              <dt>Connection</dt>
              <dd className="mono">{data.connectionId ? <a href={href(`connections/${data.connectionId}`)}>{data.connectionId}</a> : '—'}</dd>
              <dt>Series</dt>
              <dd>{data.series}</dd>
              <dt>Next attempt</dt>
              <dd>
                <When at={data.nextAttemptAt} />
              </dd>
              <dt>Completed</dt>
              <dd>
                <When at={data.completedAt} />
              </dd>
              <dt>Last error</dt>
              <dd>{data.lastError ?? '—'}</dd>
            </dl>
          </Section>
          <Section title="Attempt timeline">
            {(data.attempts ?? []).length === 0 ? (
              <p>No attempts yet.</p>
            ) : (
              <ol className="timeline">
                {(data.attempts ?? []).map((attempt) => (
                  <li key={`${attempt.attempt}-${attempt.attemptedAt}`} className={attempt.statusCode !== null && attempt.statusCode < 300 && !attempt.error ? 'ok' : 'bad'}>
                    <strong>Attempt {attempt.attempt}</strong> <When at={attempt.attemptedAt} />: {attempt.statusCode ?? 'no answer'} in {attempt.latencyMs} ms
                    {attempt.error ? <div className="small">{attempt.error}</div> : null}
                    {attempt.responseExcerpt ? <pre className="mono small">{attempt.responseExcerpt}</pre> : null}
                  </li>
                ))}
              </ol>
            )}
          </Section>
        </>
      ) : null}
    </>
  );
}
