import type { Route } from '../router';

export function SyncsPage({ route: _route }: { route: Route }) {
  return <h1>Syncs</h1>;
}
