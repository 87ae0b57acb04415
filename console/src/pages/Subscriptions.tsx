import { useState } from 'react';
import { describeError } from '../api';
import { SchemaForm } from '../components/SchemaForm';
import { Badge, ErrorBox, Notice, Pager, Section, Table, When } from '../components/ui';
import { IfCan, useConsole, useCursorList, useLiveRefresh } from '../context';
import { href } from '../router';
import type { JsonSchema } from '../schema';
import type { Subscription } from '../types';

const EVENT_TYPE = '^(\\*|[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}(\\.\\*)?)$';

export const SUBSCRIPTION_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['url', 'eventTypes'],
  properties: {
    url: { type: 'string', format: 'uri', title: 'Endpoint URL', maxLength: 2048 },
    eventTypes: {
      type: 'array',
      title: 'Event types',
      description: '"*", exact names (IntegrationRunCompleted) or prefixes (com.github.*)',
      items: { type: 'string', pattern: EVENT_TYPE },
      minItems: 1,
      maxItems: 100,
      default: ['*'],
    },
    description: { type: 'string', title: 'Description', maxLength: 500 },
  },
};

/** A secret answered once (create, rotate): shown until dismissed, never kept. */
function OnceSecret({ secret, onDismiss }: { secret: { id: string; value: string } | null; onDismiss(): void }) {
  if (!secret) return null;
  return (
    <div className="secret" role="status">
      <p>
        The signing secret of <span className="mono">{secret.id}</span>, shown this once — store it with the receiver now:
      </p>
      <label htmlFor="once-secret" className="visually-hidden">
        Signing secret
      </label>
      <input id="once-secret" readOnly value={secret.value} onFocus={(event) => event.target.select()} />
      <button type="button" onClick={() => void navigator.clipboard?.writeText(secret.value)}>
        Copy secret
      </button>
      <button type="button" onClick={onDismiss}>
        Dismiss secret
      </button>
    </div>
  );
}

export function SubscriptionsPage() {
  const { api } = useConsole();
  const list = useCursorList<Subscription>('/webhooks/subscriptions', {}, { paged: false });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ id: string; value: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useLiveRefresh(list.reload, (event) => event.type.startsWith('WebhookSubscription'));

  async function act(subscription: Subscription, action: 'rotate' | 'disable' | 'enable') {
    setProblem(null);
    try {
      if (action === 'rotate') {
        const answer = await api.send<Subscription>('POST', `/webhooks/subscriptions/${subscription.id}/rotate-secret`);
        if (answer.secret) setSecret({ id: subscription.id, value: answer.secret });
        setNotice(`Rotated the secret of ${subscription.id}; the old one keeps signing until ${answer.secretRotatedUntil ?? 'the overlap ends'}.`);
      } else {
        await api.send('PATCH', `/webhooks/subscriptions/${subscription.id}`, { status: action === 'disable' ? 'Disabled' : 'Active' });
        setNotice(`${action === 'disable' ? 'Disabled' : 'Enabled'} ${subscription.id}.`);
      }
      list.reload();
    } catch (error) {
      setProblem(describeError(error));
    }
  }

  return (
    <>
      <h1>Subscriptions</h1>
      <IfCan control="writeSubscriptions">
        <div className="toolbar">
          <button type="button" className="primary" aria-expanded={creating} onClick={() => setCreating(!creating)}>
            {creating ? 'Close the new subscription form' : 'New subscription'}
          </button>
        </div>
        {creating ? (
          <Section title="Create a subscription">
            <SchemaForm
              schema={SUBSCRIPTION_SCHEMA}
              title="New subscription"
              submitLabel="Create subscription"
              onSubmit={async (value) => {
                try {
                  const created = await api.send<Subscription>('POST', '/webhooks/subscriptions', value);
                  if (created.secret) setSecret({ id: created.id, value: created.secret });
                  setCreating(false);
                  setNotice(`Created ${created.id}.`);
                  list.reload();
                } catch (error) {
                  return describeError(error);
                }
              }}
            />
          </Section>
        ) : null}
      </IfCan>
      <OnceSecret secret={secret} onDismiss={() => setSecret(null)} />
      <Notice message={notice} />
      <ErrorBox error={problem} />
      <Section title="All subscriptions">
        <ErrorBox error={list.error} what="Subscriptions" />
        <Table caption="Subscriptions" head={['Endpoint', 'Event types', 'Status', 'Dead-letters in a row', 'Created', 'Actions']}>
          {list.items.map((subscription) => (
            <tr key={subscription.id}>
              <td>
                <div className="mono break">{subscription.url}</div>
                <div className="mono small">{subscription.id}</div>
                {subscription.description ? <div className="small">{subscription.description}</div> : null}
              </td>
              <td className="mono small">{subscription.eventTypes.join(', ')}</td>
              <td>
                <Badge value={subscription.status} />
                {subscription.disabledReason ? <div className="small">{subscription.disabledReason}</div> : null}
              </td>
              <td>{subscription.consecutiveDeadLetters}</td>
              <td>
                <When at={subscription.createdAt} />
              </td>
              <td className="row-actions">
                <a href={href('deliveries', { subscriptionId: subscription.id })} aria-label={`Deliveries of ${subscription.url}`}>
                  Deliveries
                </a>
                <IfCan control="writeSubscriptions">
                  <button type="button" onClick={() => void act(subscription, 'rotate')} aria-label={`Rotate secret of ${subscription.url}`}>
                    Rotate secret
                  </button>
                  {subscription.status === 'Disabled' ? (
                    <button type="button" onClick={() => void act(subscription, 'enable')} aria-label={`Enable ${subscription.url}`}>
                      Enable
                    </button>
                  ) : (
                    <button type="button" onClick={() => void act(subscription, 'disable')} aria-label={`Disable ${subscription.url}`}>
                      Disable
                    </button>
                  )}
                </IfCan>
              </td>
            </tr>
          ))}
        </Table>
        <Pager list={list} label="subscriptions" />
      </Section>
    </>
  );
}
