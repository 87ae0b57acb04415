/**
 * A codec turns one raw environment string into a typed value, or explains what is wrong with it.
 * Messages never echo the raw value: the variable may hold a secret.
 */
export interface Codec<T> {
  readonly type: string;
  parse(raw: string): T;
  format?(value: T): string;
}

export class InvalidValueError extends Error {}

const fail = (message: string): never => {
  throw new InvalidValueError(message);
};

export const str = (opts: { minLength?: number; pattern?: RegExp; patternHint?: string } = {}): Codec<string> => ({
  type: 'string',
  parse(raw) {
    const value = raw.trim();
    if (opts.minLength !== undefined && value.length < opts.minLength) {
      fail(`must be at least ${opts.minLength} characters long`);
    }
    if (opts.pattern && !opts.pattern.test(value)) fail(`must be ${opts.patternHint ?? `of the form ${opts.pattern}`}`);
    return value;
  },
});

export const int = (opts: { min?: number; max?: number } = {}): Codec<number> => ({
  type: 'integer',
  parse(raw) {
    const text = raw.trim();
    if (!/^-?\d+$/.test(text)) fail('must be an integer');
    const value = Number(text);
    if (opts.min !== undefined && value < opts.min) fail(`must be at least ${opts.min}`);
    if (opts.max !== undefined && value > opts.max) fail(`must be at most ${opts.max}`);
    return value;
  },
});

/** A share between 0 and 1 (`0.3`). */
export const ratio = (): Codec<number> => ({
  type: 'ratio (0-1)',
  parse(raw) {
    const text = raw.trim();
    if (!/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(text)) fail('must be a number from 0 to 1');
    return Number(text);
  },
  format: (value) => String(value),
});

export const bool = (): Codec<boolean> => ({
  type: 'boolean',
  parse(raw) {
    const text = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(text)) return true;
    if (['0', 'false', 'no', 'off'].includes(text)) return false;
    return fail('must be true or false');
  },
  format: (value) => String(value),
});

export const oneOf = <T extends string>(values: readonly T[]): Codec<T> => ({
  type: values.join(' | '),
  parse(raw) {
    const text = raw.trim();
    if (!(values as readonly string[]).includes(text)) fail(`must be one of: ${values.join(', ')}`);
    return text as T;
  },
});

export const url = (opts: { protocols: readonly string[] }): Codec<string> => ({
  type: 'url',
  parse(raw) {
    let parsed: URL;
    try {
      parsed = new URL(raw.trim());
    } catch {
      return fail(`must be an absolute URL (${opts.protocols.join(', ')})`);
    }
    const scheme = parsed.protocol.replace(/:$/, '');
    if (!opts.protocols.includes(scheme)) fail(`must use one of the schemes: ${opts.protocols.join(', ')}`);
    return raw.trim();
  },
});

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds; accepts a plain number of milliseconds or `<n>ms|s|m|h|d`. */
export const duration = (opts: { min?: number; max?: number } = {}): Codec<number> => ({
  type: 'duration',
  parse(raw) {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(raw.trim());
    if (!match) return fail('must be a duration such as 500ms, 30s, 5m, 2h or a number of milliseconds');
    const value = Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms']);
    if (opts.min !== undefined && value < opts.min) fail(`must be at least ${formatDuration(opts.min)}`);
    if (opts.max !== undefined && value > opts.max) fail(`must be at most ${formatDuration(opts.max)}`);
    return value;
  },
  format: formatDuration,
});

export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS[unit];
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1000, kib: 1024, mb: 1000 ** 2, mib: 1024 ** 2, gb: 1000 ** 3, gib: 1024 ** 3 };

/** Bytes; accepts a plain number or `<n>KiB|MiB|GiB|KB|MB|GB`. */
export const bytes = (opts: { min?: number; max?: number } = {}): Codec<number> => ({
  type: 'size',
  parse(raw) {
    const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]+)?$/.exec(raw.trim());
    const unit = (match?.[2] ?? 'b').toLowerCase();
    if (!match || !(unit in BYTE_UNITS)) return fail('must be a size such as 512KiB, 5MiB or a number of bytes');
    const value = Math.floor(Number(match[1]) * BYTE_UNITS[unit]);
    if (opts.min !== undefined && value < opts.min) fail(`must be at least ${opts.min} bytes`);
    if (opts.max !== undefined && value > opts.max) fail(`must be at most ${opts.max} bytes`);
    return value;
  },
  format(value) {
    for (const unit of ['gib', 'mib', 'kib'] as const) {
      const size = BYTE_UNITS[unit];
      if (value >= size && value % size === 0) return `${value / size}${unit.replace('ib', 'iB').toUpperCase().replace('IB', 'iB')}`;
    }
    return String(value);
  },
});

/** A comma-separated list; each item is checked by `item`. */
export const list = <T>(item: Codec<T>, opts: { minItems?: number } = {}): Codec<T[]> => ({
  type: `list of ${item.type}`,
  parse(raw) {
    const parts = raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0);
    if (opts.minItems !== undefined && parts.length < opts.minItems) fail(`must list at least ${opts.minItems} item(s)`);
    return parts.map((part, index) => {
      try {
        return item.parse(part);
      } catch (error) {
        if (error instanceof InvalidValueError) return fail(`item ${index + 1} ${error.message}`);
        throw error;
      }
    });
  },
  format: (values) => values.map((value) => (item.format ? item.format(value) : String(value))).join(','),
});
