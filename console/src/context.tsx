import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { describeError, type ApiClient, type Query } from './api';
import type { Session } from './auth';
import { can, type Control } from './scopes';
import type { SseEvent } from './sse';

export interface ConsoleContext {
  api: ApiClient;
  session: Session;
  /** Subscribes to live events; answers the unsubscribe. */
  onLive(listener: (event: SseEvent) => void): () => void;
}

export const Ctx = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const value = useContext(Ctx);
  if (!value) throw new Error('useConsole outside the signed-in console');
  return value;
}

export function useCan(control: Control): boolean {
  return can(useConsole().session.scopes, control);
}

/** Children only when the token has the control's scope. */
export function IfCan({ control, children, fallback = null }: { control: Control; children: ReactNode; fallback?: ReactNode }) {
  return <>{useCan(control) ? children : fallback}</>;
}

export interface Loaded<T> {
  data?: T;
  error: string | null;
  status: number | null;
  loading: boolean;
  reload(): void;
}

/** GET `path` (null: nothing yet); reloads when the path or query change, or on `reload()`. */
export function useGet<T>(path: string | null, query?: Query): Loaded<T> {
  const { api } = useConsole();
  const [state, setState] = useState<{ data?: T; error: string | null; status: number | null; loading: boolean }>({ error: null, status: null, loading: path !== null });
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(query ?? {});
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((current) => ({ ...current, loading: true }));
    api.get<T>(path, JSON.parse(key) as Query).then(
      (data) => live && setState({ data, error: null, status: 200, loading: false }),
      (error: unknown) =>
        live && setState((current) => ({ data: current.data, error: describeError(error), status: (error as { status?: number }).status ?? null, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [api, path, key, tick]);
  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { ...state, reload };
}

/** Calls `refresh` (debounced, but at least every `maxWaitMs` while events keep coming) when a live event arrives that `accept` takes (all, when undefined). */
export function useLiveRefresh(refresh: () => void, accept?: (event: SseEvent) => boolean, delayMs = 400, maxWaitMs = 2000): void {
  const { onLive } = useConsole();
  const latest = useRef({ refresh, accept });
  latest.current = { refresh, accept };
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let firstPending: number | undefined;
    const fire = () => {
      firstPending = undefined;
      latest.current.refresh();
    };
    const off = onLive((event) => {
      if (latest.current.accept && !latest.current.accept(event)) return;
      clearTimeout(timer);
      firstPending ??= Date.now();
      timer = setTimeout(fire, Math.max(0, Math.min(delayMs, firstPending + maxWaitMs - Date.now())));
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, [onLive, delayMs, maxWaitMs]);
}

export interface CursorList<T> {
  items: T[];
  error: string | null;
  loading: boolean;
  hasMore: boolean;
  loadMore(): void;
  reload(): void;
}

/** A list paged with the API's cursors (`nextCursor`, `?cursor=&limit=`). `paged: false` for lists that take no `limit` (they are still followed when they answer a `nextCursor`). */
export function useCursorList<T>(path: string | null, query: Query = {}, options: { paged?: boolean; limit?: number } = {}): CursorList<T> {
  const { api } = useConsole();
  const paged = options.paged ?? true;
  const limit = options.limit ?? 25;
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(query);
  const generation = useRef(0);

  const fetchPage = useCallback(
    async (after: string | null, append: boolean, shown: number) => {
      if (path === null) return;
      const mine = ++generation.current;
      setLoading(true);
      try {
        const pageQuery: Query = { ...(JSON.parse(key) as Query) };
        if (paged) pageQuery.limit = append ? limit : Math.max(limit, Math.min(500, shown));
        // A list that answers a nextCursor takes it back, paged or not.
        if (after) pageQuery.cursor = after;
        const page = await api.get<{ items: T[]; nextCursor?: string | null }>(path, pageQuery);
        if (mine !== generation.current) return;
        setItems((current) => (append ? [...current, ...page.items] : page.items));
        setCursor(page.nextCursor ?? null);
        setError(null);
      } catch (caught) {
        if (mine === generation.current) setError(describeError(caught));
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [api, path, key, paged, limit],
  );

  const shownRef = useRef(0);
  shownRef.current = items.length;
  useEffect(() => {
    // A reload (a live event) keeps as many rows in view as were shown.
    void fetchPage(null, false, tick === 0 ? 0 : shownRef.current);
  }, [fetchPage, tick]);

  return {
    items,
    error,
    loading,
    hasMore: cursor !== null,
    loadMore: () => void fetchPage(cursor, true, 0),
    reload: () => setTick((value) => value + 1),
  };
}
