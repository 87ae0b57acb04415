import { useGet } from '../context';
import type { Connection } from '../types';
import { ErrorBox } from './ui';

/** A select of the tenant's connections (optionally of one provider), for pages that work on one. */
export function ConnectionPicker({
  id,
  value,
  onChange,
  providerId,
  label = 'Connection',
}: {
  id: string;
  value: string;
  onChange(id: string): void;
  providerId?: string;
  label?: string;
}) {
  const connections = useGet<{ items: Connection[] }>('/integrations/connections', providerId ? { providerId } : undefined);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">Choose a connection…</option>
        {(connections.data?.items ?? []).map((connection) => (
          <option key={connection.id} value={connection.id}>
            {connection.displayName} ({connection.providerId}, {connection.status})
          </option>
        ))}
        {value && connections.data && !connections.data.items.some((connection) => connection.id === value) ? <option value={value}>{value}</option> : null}
      </select>
      <ErrorBox error={connections.error} what="Connections" />
    </div>
  );
}
