import { InitialSchema1764201600000 } from './1764201600000-InitialSchema';
import { StoreBus1764288000000 } from './1764288000000-StoreBus';
import { StoreBusClaim1764374400000 } from './1764374400000-StoreBusClaim';
import { GovernedAccess1764460800000 } from './1764460800000-GovernedAccess';
import { Webhooks1764547200000 } from './1764547200000-Webhooks';
import { InboundPayloads1764633600000 } from './1764633600000-InboundPayloads';
import { LeanRunIndexes1764720000000 } from './1764720000000-LeanRunIndexes';
import { VendorCatalogue1764806400000 } from './1764806400000-VendorCatalogue';
import { Syncs1764806400001 } from './1764806400001-Syncs';
import { ModelGateway1764892800000 } from './1764892800000-ModelGateway';
import { Messages1764979200000 } from './1764979200000-Messages';

/** In order. A new migration is appended here and never edited once released. */
export const MIGRATIONS = [
  InitialSchema1764201600000,
  StoreBus1764288000000,
  StoreBusClaim1764374400000,
  GovernedAccess1764460800000,
  Webhooks1764547200000,
  InboundPayloads1764633600000,
  LeanRunIndexes1764720000000,
  VendorCatalogue1764806400000,
  Syncs1764806400001,
  ModelGateway1764892800000,
  Messages1764979200000,
];
