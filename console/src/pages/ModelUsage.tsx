import type { Route } from '../router';

export function ModelUsagePage({ route: _route }: { route: Route }) {
  return <h1>ModelUsage</h1>;
}
