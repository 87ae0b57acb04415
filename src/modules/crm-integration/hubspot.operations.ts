import type { VendorOperation } from '../../platform/vendors/vendor-descriptor';
import { CREATE_DEFAULT_ASSOCIATION, LIST_ASSOCIATIONS } from './operations/associations';
import { objectOperations } from './operations/objects';

/** HubSpot's named operations, as `GET /hubspot/operations` lists them: the CRM v3 objects API per object type, and v4 associations. */
export const HUBSPOT_OPERATIONS: readonly VendorOperation[] = [
  ...objectOperations('contacts'),
  ...objectOperations('companies'),
  ...objectOperations('deals'),
  CREATE_DEFAULT_ASSOCIATION as VendorOperation,
  LIST_ASSOCIATIONS as VendorOperation,
];
