export { startHubSpotPeer, HubSpotPeer } from './server';
export type { HubSpotPeerOptions, RecordedHubSpotRequest } from './server';
export type { ObjectType, StoredObject } from './crm';
