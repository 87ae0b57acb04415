/**
 * Client-supplied text made safe to quote back, in a header's quoted-string (RFC 6750 `error_description`)
 * or an error message: visible ASCII only, without `"` and `\`; anything else becomes `?`.
 */
export function quotable(text: string, maxLength = 200): string {
  return text.slice(0, maxLength).replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');
}
