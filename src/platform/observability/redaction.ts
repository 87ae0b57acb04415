/**
 * Last line of defence for log output: secrets are never logged on purpose, and this catches the ones
 * that slip into a message, an error or a vendor's echo. Two mechanisms: patterns for well-known secret
 * shapes, and exact values registered at boot (every configuration variable marked secret).
 */
const REDACTED = '[REDACTED]';

const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, `$1 ${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
  [/\bwhsec_[A-Za-z0-9+/=]+/g, `whsec_${REDACTED}`],
  [/\b(sk|rk)_(live|test)_[A-Za-z0-9]+/g, `$1_$2_${REDACTED}`],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED],
  [/\bxox[abpre]-[A-Za-z0-9-]+/g, REDACTED],
  [/\b(SharedAccessKey|SharedAccessSignature|AccountKey|Password|Pwd|client_secret|access_token|refresh_token|api[_-]?key|sig)=([^;&\s"']+)/gi, `$1=${REDACTED}`],
  [/([a-z][a-z0-9+.-]*:\/\/[^:/\s@]+):([^@\s/]+)@/gi, `$1:${REDACTED}@`],
];

const registered = new Set<string>();

export const SecretRedactor = {
  /** Registers an exact secret value (too-short values are ignored: they would redact ordinary words). */
  register(value: string | undefined | null): void {
    if (value && value.length >= 8) registered.add(value);
  },

  scrub(text: string): string {
    let result = text;
    for (const value of registered) {
      if (result.includes(value)) result = result.split(value).join(REDACTED);
    }
    for (const [pattern, replacement] of SECRET_PATTERNS) result = result.replace(pattern, replacement);
    return result;
  },
};

/** Field names whose values are secrets wherever they appear in a logged object. */
export const SECRET_FIELD_NAMES = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'api_key',
  'clientSecret',
  'client_secret',
  'signingSecret',
  'x-api-key',
  'api-key',
  'ocp-apim-subscription-key',
] as const;
