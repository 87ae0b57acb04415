import type { Route } from '../router';

export function ToolsPage({ route: _route }: { route: Route }) {
  return <h1>Tools</h1>;
}
