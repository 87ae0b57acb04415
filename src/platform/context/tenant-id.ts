/** A tenant id as the platform accepts it in tokens, names and keys: 1-128 safe characters. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
