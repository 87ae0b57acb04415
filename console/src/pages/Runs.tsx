import type { Route } from '../router';

export function RunsPage({ route: _route }: { route: Route }) {
  return <h1>Runs</h1>;
}
