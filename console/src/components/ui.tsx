import type { ReactNode } from 'react';
import type { CursorList } from '../context';

export function ErrorBox({ error, what }: { error: string | null | undefined; what?: string }) {
  if (!error) return null;
  return (
    <div className={`error${error.startsWith('403') ? ' forbidden' : ''}`} role="alert">
      {what ? <strong>{what}: </strong> : null}
      {error}
    </div>
  );
}

export function Badge({ value }: { value: string | null | undefined }) {
  const text = value ?? '—';
  return <span className={`badge badge-${text.toLowerCase().replace(/[^a-z]/g, '')}`}>{text}</span>;
}

export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span>—</span>;
  const date = new Date(at);
  return <time dateTime={at}>{Number.isNaN(date.getTime()) ? at : date.toLocaleString()}</time>;
}

export function Pager<T>({ list, label }: { list: CursorList<T>; label: string }) {
  return (
    <div className="pager">
      <span aria-live="polite">
        {list.loading ? 'Loading…' : `${list.items.length} ${label} shown`}
        {list.hasMore ? ', more available' : ''}
      </span>
      {list.hasMore ? (
        <button type="button" onClick={list.loadMore} disabled={list.loading}>
          Load more {label}
        </button>
      ) : null}
    </div>
  );
}

export function Section({ title, children, actions, id }: { title: string; children: ReactNode; actions?: ReactNode; id?: string }) {
  const headingId = id ?? `h-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section aria-labelledby={headingId} className="card">
      <div className="card-head">
        <h2 id={headingId}>{title}</h2>
        {actions ? <div className="card-actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}

/** A table that scrolls sideways on a phone instead of breaking the layout. */
export function Table({ caption, head, children }: { caption: string; head: string[]; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {head.map((cell) => (
              <th scope="col" key={cell}>
                {cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function Notice({ message }: { message: string | null }) {
  return (
    <p className="notice" role="status" aria-live="polite">
      {message ?? ''}
    </p>
  );
}
