import type { VendorOperation } from '../../../platform/vendors/vendor-descriptor';
import { formBody } from '../stripe.form';
import { bodyOf, EMAIL, idOf, METADATA, NULLABLE_STRING, objectSchema, path, StripeJson, stringOrNull, TEXT } from './shared';

const CUSTOMER_ID = idOf('cus', 'The customer');

export const CUSTOMER_OUTPUT = objectSchema({
  id: CUSTOMER_ID,
  email: NULLABLE_STRING,
  name: NULLABLE_STRING,
  phone: NULLABLE_STRING,
  description: NULLABLE_STRING,
  metadata: { type: 'object', additionalProperties: { type: 'string' } },
  deleted: { type: 'boolean' },
  created: { type: ['string', 'null'], format: 'date-time' },
});

export function toCustomer(customer: StripeJson) {
  return {
    id: customer.id,
    email: stringOrNull(customer.email),
    name: stringOrNull(customer.name),
    phone: stringOrNull(customer.phone),
    description: stringOrNull(customer.description),
    metadata: customer.metadata ?? {},
    deleted: customer.deleted === true,
    created: typeof customer.created === 'number' ? new Date(customer.created * 1000).toISOString() : null,
  };
}

interface CustomerFields {
  email?: string;
  name?: string;
  phone?: string;
  description?: string;
  metadata?: Record<string, string | null>;
}

const FIELDS = {
  email: EMAIL,
  name: { type: 'string', maxLength: 256 },
  phone: { type: 'string', maxLength: 20 },
  description: TEXT,
  metadata: METADATA,
} as const;

function fieldsForm(input: CustomerFields) {
  return formBody({ email: input.email, name: input.name, phone: input.phone, description: input.description, metadata: input.metadata });
}

const CREATE: VendorOperation<CustomerFields> = {
  name: 'stripe.customers.create',
  description: 'Creates a customer',
  effect: 'write',
  input: objectSchema(FIELDS, []),
  output: CUSTOMER_OUTPUT,
  request: (input) => ({ method: 'POST', path: path('customers'), ...fieldsForm(input) }),
  result: (answer) => toCustomer(bodyOf(answer)),
};

const RETRIEVE: VendorOperation<{ id: string }> = {
  name: 'stripe.customers.retrieve',
  description: 'Reads a customer (a deleted one answers deleted: true)',
  effect: 'read',
  input: objectSchema({ id: CUSTOMER_ID }),
  output: CUSTOMER_OUTPUT,
  request: (input) => ({ method: 'GET', path: path('customers', input.id) }),
  result: (answer) => toCustomer(bodyOf(answer)),
};

const UPDATE: VendorOperation<CustomerFields & { id: string }> = {
  name: 'stripe.customers.update',
  description: 'Updates a customer’s fields; a metadata key set to null is removed',
  effect: 'write',
  input: { ...objectSchema({ id: CUSTOMER_ID, ...FIELDS }, ['id']), minProperties: 2 },
  output: CUSTOMER_OUTPUT,
  request: (input) => ({ method: 'POST', path: path('customers', input.id), ...fieldsForm(input) }),
  result: (answer) => toCustomer(bodyOf(answer)),
};

export const CUSTOMER_OPERATIONS = [CREATE, RETRIEVE, UPDATE] as const;
