import type { Route } from '../router';

export function CredentialsPage({ route: _route }: { route: Route }) {
  return <h1>Credentials</h1>;
}
