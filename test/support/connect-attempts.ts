import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/** Counts connection attempts made by undici (the egress client), whatever the destination. */
export function watchConnectAttempts(): { readonly count: number; stop(): void } {
  let count = 0;
  const onConnect = () => count++;
  subscribe('undici:client:beforeConnect', onConnect);
  return {
    get count() {
      return count;
    },
    stop: () => unsubscribe('undici:client:beforeConnect', onConnect),
  };
}
