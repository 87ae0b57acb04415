/**
 * Stripe's request bodies are form-encoded with bracketed keys: `metadata[order]=42`,
 * `line_items[0][price]=price_1`, `expand[0]=customer`. Undefined values are left out; `null` sends an
 * empty value, which Stripe reads as "unset" (how a metadata key is removed).
 */
export function stripeForm(values: Record<string, unknown>): string {
  const pairs: string[] = [];
  const add = (key: string, value: unknown): void => {
    if (value === undefined) return;
    if (value === null) pairs.push(`${encode(key)}=`);
    else if (Array.isArray(value)) value.forEach((item, index) => add(`${key}[${index}]`, item));
    else if (typeof value === 'object') for (const [name, nested] of Object.entries(value)) add(`${key}[${name}]`, nested);
    else pairs.push(`${encode(key)}=${encode(String(value))}`);
  };
  for (const [name, value] of Object.entries(values)) add(name, value);
  return pairs.join('&');
}

/** Brackets stay readable, as Stripe's own libraries send them. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/%5B/g, '[').replace(/%5D/g, ']');
}

export function formBody(values: Record<string, unknown>): { headers: Record<string, string>; body: string } {
  return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: stripeForm(values) };
}
