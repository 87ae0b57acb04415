export { startZendeskPeer, ZendeskPeer } from './server';
export type { ApiToken, RecordedZendeskRequest, ZendeskPeerOptions } from './server';
export { zendeskTime } from './state';
