export { ServiceBusPeer } from './service-bus-peer';
export type { PeerMessage } from './service-bus-peer';
export type { EntityState, MessageState } from './entity';
export type { QueueOptions, ServiceBusPeerOptions, SubscriptionOptions, TopicOptions } from './namespace';
