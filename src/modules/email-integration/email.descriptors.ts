import type { VendorDescriptor } from '../../platform/vendors/vendor-descriptor';

export const SMTP: VendorDescriptor = {
  provider: { id: 'smtp', displayName: 'SMTP', category: 'communication', capabilities: ['email'], authModes: ['basic', 'none'] },
};
