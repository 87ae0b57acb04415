import { useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { buildValue, fieldsOf, initialValues, type Field, type JsonSchema, type RawValue, type RawValues } from '../schema';

interface FieldsProps {
  fields: Field[];
  raw: RawValues;
  errors: Record<string, string>;
  idPrefix: string;
  onChange(path: string, value: RawValue): void;
}

export function SchemaFields({ fields, raw, errors, idPrefix, onChange }: FieldsProps) {
  return (
    <>
      {fields.map((field) => (
        <SchemaField key={field.path} field={field} raw={raw} errors={errors} idPrefix={idPrefix} onChange={onChange} />
      ))}
    </>
  );
}

function SchemaField({ field, raw, errors, idPrefix, onChange }: Omit<FieldsProps, 'fields'> & { field: Field }) {
  const id = `${idPrefix}-${field.path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const error = errors[field.path];
  const describedBy = [field.description ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const help = field.description ? (
    <small id={`${id}-help`} className="help">
      {field.description}
    </small>
  ) : null;
  const message = error ? (
    <small id={`${id}-error`} className="field-error">
      {error}
    </small>
  ) : null;
  const label = (
    <>
      {field.label}
      {field.required ? (
        <span className="required" aria-hidden="true">
          {' '}
          *
        </span>
      ) : null}
    </>
  );

  if (field.kind === 'object') {
    return (
      <fieldset className="group" data-path={field.path}>
        <legend>{label}</legend>
        {help}
        <SchemaFields fields={field.children ?? []} raw={raw} errors={errors} idPrefix={idPrefix} onChange={onChange} />
      </fieldset>
    );
  }
  if (field.kind === 'boolean') {
    return (
      <div className="field checkbox">
        <input id={id} type="checkbox" checked={raw[field.path] === true} aria-describedby={describedBy} onChange={(event) => onChange(field.path, event.target.checked)} />
        <label htmlFor={id}>{label}</label>
        {help}
        {message}
      </div>
    );
  }
  if (field.kind === 'multiselect') {
    const chosen = Array.isArray(raw[field.path]) ? (raw[field.path] as string[]) : [];
    return (
      <fieldset className="group" aria-describedby={describedBy}>
        <legend>{label}</legend>
        {(field.options ?? []).map((option) => (
          <div className="field checkbox" key={option}>
            <input
              id={`${id}-${option}`}
              type="checkbox"
              checked={chosen.includes(option)}
              onChange={(event) => onChange(field.path, event.target.checked ? [...chosen, option] : chosen.filter((item) => item !== option))}
            />
            <label htmlFor={`${id}-${option}`}>{option}</label>
          </div>
        ))}
        {help}
        {message}
      </fieldset>
    );
  }
  const common = {
    id,
    'aria-describedby': describedBy,
    'aria-invalid': error ? true : undefined,
    'aria-required': field.required || undefined,
    value: typeof raw[field.path] === 'string' ? (raw[field.path] as string) : '',
  };
  let control: ReactNode;
  if (field.kind === 'select') {
    control = (
      <select {...common} onChange={(event) => onChange(field.path, event.target.value)}>
        <option value="">{field.required ? 'Choose…' : '(not set)'}</option>
        {(field.options ?? []).map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'lines' || field.kind === 'json') {
    control = <textarea {...common} rows={field.kind === 'json' ? 4 : 3} spellCheck={false} onChange={(event) => onChange(field.path, event.target.value)} />;
  } else {
    const type = field.secret ? 'password' : field.kind === 'number' || field.kind === 'integer' ? 'number' : field.schema.format === 'uri' ? 'url' : 'text';
    control = (
      <input
        {...common}
        type={type}
        step={field.kind === 'integer' ? 1 : field.kind === 'number' ? 'any' : undefined}
        min={field.schema.minimum}
        max={field.schema.maximum}
        autoComplete="off"
        onChange={(event) => onChange(field.path, event.target.value)}
      />
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {field.kind === 'lines' ? <span className="hint"> (one per line)</span> : null}
        {field.kind === 'json' ? <span className="hint"> (JSON)</span> : null}
      </label>
      {control}
      {help}
      {message}
    </div>
  );
}

interface FormProps {
  schema: JsonSchema;
  submitLabel: string;
  /** Answers an error text to show, or nothing when it went well. */
  onSubmit(value: Record<string, unknown>): Promise<string | void> | string | void;
  children?: ReactNode;
  /** Checks across fields the schema cannot express, run after the schema's own. */
  extraErrors?(value: Record<string, unknown>): Record<string, string>;
  disabled?: boolean;
  /** For the accessible name of the form. */
  title?: string;
}

/** A form for an object schema: labelled controls, required marks, messages per field, the payload on submit. */
export function SchemaForm({ schema, submitLabel, onSubmit, children, extraErrors, disabled, title }: FormProps) {
  const idPrefix = useId().replace(/:/g, '');
  const fields = useMemo(() => fieldsOf(schema), [schema]);
  const [raw, setRaw] = useState<RawValues>(() => initialValues(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { value, errors: found } = buildValue(fields, raw);
    const all = { ...found, ...(Object.keys(found).length === 0 ? (extraErrors?.(value) ?? {}) : {}) };
    setErrors(all);
    if (Object.keys(all).length > 0) {
      setSubmitError(`Please correct ${Object.keys(all).length === 1 ? 'the field' : `${Object.keys(all).length} fields`} marked below.`);
      return;
    }
    setBusy(true);
    setSubmitError(null);
    try {
      const problem = await onSubmit(value);
      if (problem) setSubmitError(problem);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="schema-form" noValidate onSubmit={(event) => void submit(event)} aria-label={title}>
      {submitError ? (
        <p className="error" role="alert">
          {submitError}
        </p>
      ) : null}
      <SchemaFields fields={fields} raw={raw} errors={errors} idPrefix={idPrefix} onChange={(path, value) => setRaw((current) => ({ ...current, [path]: value }))} />
      {children}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || disabled}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
