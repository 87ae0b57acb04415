export { startVendorPeer, VendorPeer } from './server';
export type { HealthState, RecordedRequest, VendorPeerOptions } from './server';
export type { VendorItem } from './api';
export type { VendorAuthConfig } from './auth';
export type { ScriptedBehaviour } from './faults';
export type { QueryObject } from '../peer-http';
export type { GrantType, OAuthClientRegistration, TokenEndpointSettings } from './oauth';
export type { RateLimitConfig } from './rate-limit';
