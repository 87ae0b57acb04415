/**
 * Forms generated from JSON Schemas (a provider's descriptor, an MCP tool's input schema): the fields a
 * schema describes, the raw values an operator typed, and from them the payload or the messages.
 * Supported: string (enum, format uri/email, pattern, min/maxLength), integer/number (minimum, maximum),
 * boolean, nested objects (required inside), arrays of strings (one per line) or of enums (checkboxes);
 * anything else is a JSON text field.
 */

export type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  writeOnly?: boolean;
  [key: string]: unknown;
};

export type FieldKind = 'text' | 'number' | 'integer' | 'boolean' | 'select' | 'multiselect' | 'lines' | 'json' | 'object';

export interface Field {
  /** Dotted path from the form's root: `configuration.baseUrl`. */
  path: string;
  name: string;
  label: string;
  description?: string;
  kind: FieldKind;
  required: boolean;
  schema: JsonSchema;
  /** For objects: their fields. */
  children?: Field[];
  options?: string[];
  secret?: boolean;
}

export type RawValue = string | boolean | string[];
export type RawValues = Record<string, RawValue>;

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((type) => type !== 'null');
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.enum) return 'string';
  return undefined;
}

export function humanise(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1).replace(/\bUrl\b/gi, 'URL');
}

function kindOf(schema: JsonSchema): FieldKind {
  const type = typeOf(schema);
  if (schema.enum && schema.enum.length > 0) return 'select';
  switch (type) {
    case 'string':
      return 'text';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return schema.properties ? 'object' : 'json';
    case 'array': {
      const items = schema.items ?? {};
      if (items.enum && items.enum.length > 0) return 'multiselect';
      return typeOf(items) === 'string' ? 'lines' : 'json';
    }
    default:
      return 'json';
  }
}

/** The fields of an object schema, nested objects as groups. */
export function fieldsOf(schema: JsonSchema, prefix = ''): Field[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    const kind = kindOf(property);
    const field: Field = {
      path,
      name,
      label: property.title ?? humanise(name),
      description: property.description,
      kind,
      required: required.has(name),
      schema: property,
      secret: property.writeOnly === true || property.format === 'password',
    };
    if (kind === 'object') field.children = fieldsOf(property, path);
    if (kind === 'select') field.options = (property.enum ?? []).map(String);
    if (kind === 'multiselect') field.options = (property.items?.enum ?? []).map(String);
    return field;
  });
}

/** The raw values a schema's defaults fill in. */
export function initialValues(fields: Field[]): RawValues {
  const values: RawValues = {};
  for (const field of fields) {
    if (field.children) Object.assign(values, initialValues(field.children));
    const fallback = field.schema.default;
    if (fallback === undefined) {
      if (field.kind === 'boolean') values[field.path] = false;
      continue;
    }
    if (field.kind === 'boolean') values[field.path] = fallback === true;
    else if (field.kind === 'multiselect') values[field.path] = Array.isArray(fallback) ? fallback.map(String) : [];
    else if (field.kind === 'lines') values[field.path] = Array.isArray(fallback) ? fallback.join('\n') : '';
    else if (field.kind === 'json') values[field.path] = JSON.stringify(fallback, null, 2);
    else values[field.path] = String(fallback);
  }
  return values;
}

export interface BuildResult {
  value: Record<string, unknown>;
  errors: Record<string, string>;
}

function isBlank(raw: RawValue | undefined): boolean {
  return raw === undefined || (typeof raw === 'string' && raw.trim() === '') || (Array.isArray(raw) && raw.length === 0);
}

function checkString(field: Field, text: string): string | undefined {
  const { schema } = field;
  if (schema.minLength !== undefined && text.length < schema.minLength) return `${field.label} must be at least ${schema.minLength} characters`;
  if (schema.maxLength !== undefined && text.length > schema.maxLength) return `${field.label} must be at most ${schema.maxLength} characters`;
  if (schema.pattern !== undefined) {
    let pattern: RegExp | undefined;
    try {
      pattern = new RegExp(schema.pattern, 'u');
    } catch {
      pattern = undefined;
    }
    if (pattern && !pattern.test(text)) return `${field.label} does not have the expected form (${schema.pattern})`;
  }
  if (schema.format === 'uri' || schema.format === 'url') {
    try {
      const url = new URL(text);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${field.label} must be an http(s) URL`;
    } catch {
      return `${field.label} must be a URL`;
    }
  }
  if (schema.format === 'email' && !/^[^@\s]+@[^@\s]+$/.test(text)) return `${field.label} must be an email address`;
  return undefined;
}

function checkNumber(field: Field, number: number): string | undefined {
  const { schema } = field;
  if (field.kind === 'integer' && !Number.isInteger(number)) return `${field.label} must be a whole number`;
  if (schema.minimum !== undefined && number < schema.minimum) return `${field.label} must be at least ${schema.minimum}`;
  if (schema.maximum !== undefined && number > schema.maximum) return `${field.label} must be at most ${schema.maximum}`;
  return undefined;
}

/** Whether any field under an object group has a value (an optional group left empty is left out). */
function anyValue(fields: Field[], raw: RawValues): boolean {
  return fields.some((field) => (field.children ? anyValue(field.children, raw) : field.kind === 'boolean' ? raw[field.path] === true : !isBlank(raw[field.path])));
}

/** The payload the raw values make, and a message per field path that is not right. Empty optional fields are left out. */
export function buildValue(fields: Field[], raw: RawValues): BuildResult {
  const errors: Record<string, string> = {};
  const value = build(fields, raw, errors);
  return { value, errors };
}

function build(fields: Field[], raw: RawValues, errors: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const input = raw[field.path];
    if (field.kind === 'object') {
      if (!field.required && !anyValue(field.children ?? [], raw)) continue;
      out[field.name] = build(field.children ?? [], raw, errors);
      continue;
    }
    if (field.kind === 'boolean') {
      // An unticked optional box without a default says nothing; ticked, or required, it is sent.
      if (input === true || field.required || field.schema.default !== undefined) out[field.name] = input === true;
      continue;
    }
    if (isBlank(input)) {
      if (field.required) errors[field.path] = `${field.label} is required`;
      continue;
    }
    switch (field.kind) {
      case 'text': {
        const text = String(input);
        const problem = checkString(field, text);
        if (problem) errors[field.path] = problem;
        else out[field.name] = text;
        break;
      }
      case 'select': {
        const option = (field.schema.enum ?? []).find((candidate) => String(candidate) === input);
        if (option === undefined) errors[field.path] = `${field.label} must be one of: ${(field.options ?? []).join(', ')}`;
        else out[field.name] = option;
        break;
      }
      case 'number':
      case 'integer': {
        const number = Number(String(input).trim());
        if (!Number.isFinite(number)) {
          errors[field.path] = `${field.label} must be a number`;
          break;
        }
        const problem = checkNumber(field, number);
        if (problem) errors[field.path] = problem;
        else out[field.name] = number;
        break;
      }
      case 'multiselect': {
        const chosen = Array.isArray(input) ? input : [];
        if (field.schema.minItems !== undefined && chosen.length < field.schema.minItems) errors[field.path] = `${field.label}: choose at least ${field.schema.minItems}`;
        else out[field.name] = chosen;
        break;
      }
      case 'lines': {
        const items = String(input)
          .split(/\r?\n|,/)
          .map((item) => item.trim())
          .filter(Boolean);
        const itemField: Field = { ...field, schema: field.schema.items ?? {}, label: `Each of ${field.label}` };
        const problem = items.map((item) => checkString(itemField, item)).find(Boolean);
        if (problem) errors[field.path] = problem;
        else if (field.schema.maxItems !== undefined && items.length > field.schema.maxItems) errors[field.path] = `${field.label} takes at most ${field.schema.maxItems}`;
        else out[field.name] = items;
        break;
      }
      case 'json': {
        try {
          out[field.name] = JSON.parse(String(input));
        } catch {
          errors[field.path] = `${field.label} must be JSON`;
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}
