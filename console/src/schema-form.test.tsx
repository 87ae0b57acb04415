import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { SchemaForm } from './components/SchemaForm';
import { connectionSchema } from './connection-schema';
import { buildValue, fieldsOf, type JsonSchema } from './schema';
import type { Provider } from './types';

const provider = (overrides: Partial<Provider> = {}): Provider => ({
  id: 'github',
  displayName: 'GitHub',
  category: 'source-control',
  capabilities: [],
  authModel: 'github-app',
  authModes: ['github-app', 'bearer'],
  webhookVerifier: 'github',
  defaultBaseUrl: 'https://api.github.com',
  docsUrl: null,
  status: 'Active',
  scope: 'built-in',
  ...overrides,
});

const SCHEMA: JsonSchema = {
  type: 'object',
  required: ['name', 'region', 'limits'],
  properties: {
    name: { type: 'string', title: 'Name', minLength: 2 },
    region: { type: 'string', title: 'Region', enum: ['eu', 'us'] },
    verbose: { type: 'boolean', title: 'Verbose' },
    strict: { type: 'boolean', title: 'Strict', default: true },
    endpoint: { type: 'string', format: 'uri', title: 'Endpoint' },
    tags: { type: 'array', items: { type: 'string' }, title: 'Tags' },
    limits: {
      type: 'object',
      title: 'Limits',
      required: ['perSecond'],
      properties: { perSecond: { type: 'integer', title: 'Per second', minimum: 1, maximum: 100 }, note: { type: 'string', title: 'Note' } },
    },
    extra: { type: 'object', title: 'Extra', properties: { flag: { type: 'string', title: 'Flag' } } },
  },
};

function renderForm(schema: JsonSchema = SCHEMA) {
  const onSubmit = vi.fn<(value: Record<string, unknown>) => void>();
  render(<SchemaForm schema={schema} submitLabel="Save" onSubmit={onSubmit} title="Test form" />);
  return { onSubmit, user: userEvent.setup() };
}

describe('SchemaForm', () => {
  it('renders labelled controls: text inputs, enums as selects, booleans as checkboxes, nested objects as groups', () => {
    renderForm();
    expect(screen.getByLabelText(/^Name/)).toHaveProperty('tagName', 'INPUT');
    const region = screen.getByLabelText(/^Region/) as HTMLSelectElement;
    expect(region.tagName).toBe('SELECT');
    expect([...region.options].map((option) => option.value)).toEqual(['', 'eu', 'us']);
    expect(screen.getByLabelText('Verbose')).toHaveProperty('type', 'checkbox');
    expect(screen.getByLabelText('Strict')).toHaveProperty('checked', true);
    expect(screen.getByLabelText(/^Endpoint/)).toHaveProperty('type', 'url');
    expect(screen.getByLabelText(/^Tags/).tagName).toBe('TEXTAREA');
    const group = screen.getByRole('group', { name: /Limits/ });
    expect(group.querySelector('input[type=number]')).not.toBeNull();
    expect(screen.getByLabelText(/^Per second/).getAttribute('aria-required')).toBe('true');
  });

  it('shows a message per invalid field and does not submit', async () => {
    const { onSubmit, user } = renderForm();
    await user.type(screen.getByLabelText(/^Name/), 'x');
    await user.type(screen.getByLabelText(/^Endpoint/), 'not a url');
    await user.type(screen.getByLabelText(/^Per second/), '500');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toMatch(/correct 4 fields/);
    expect(screen.getByText('Name must be at least 2 characters')).toBeTruthy();
    expect(screen.getByText('Region is required')).toBeTruthy();
    expect(screen.getByText('Endpoint must be a URL')).toBeTruthy();
    expect(screen.getByText('Per second must be at most 100')).toBeTruthy();
    const name = screen.getByLabelText(/^Name/);
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(name.getAttribute('aria-describedby')).toContain('-error');
  });

  it('submits the typed payload: numbers, enum values, lists, booleans, nested objects; empty optional fields and groups left out', async () => {
    const { onSubmit, user } = renderForm();
    await user.type(screen.getByLabelText(/^Name/), 'octo');
    await user.selectOptions(screen.getByLabelText(/^Region/), 'us');
    await user.click(screen.getByLabelText('Verbose'));
    await user.type(screen.getByLabelText(/^Tags/), 'a\nb, c');
    await user.type(screen.getByLabelText(/^Per second/), '7');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(onSubmit).toHaveBeenCalledWith({ name: 'octo', region: 'us', verbose: true, strict: true, tags: ['a', 'b', 'c'], limits: { perSecond: 7 } });
  });

  it('shows the error the submit handler answers', async () => {
    const user = userEvent.setup();
    render(<SchemaForm schema={{ type: 'object', properties: {} }} submitLabel="Go" onSubmit={() => '403 Forbidden: missing scope'} />);
    await user.click(screen.getByRole('button', { name: 'Go' }));
    expect(screen.getByRole('alert').textContent).toBe('403 Forbidden: missing scope');
  });
});

describe('buildValue', () => {
  it('requires an optional group only when one of its fields is filled', () => {
    const fields = fieldsOf(SCHEMA);
    const base = { name: 'ok', region: 'eu', 'limits.perSecond': '1' };
    expect(buildValue(fields, base).errors).toEqual({});
    expect(buildValue(fields, { ...base, 'extra.flag': 'y' }).value.extra).toEqual({ flag: 'y' });
    expect(buildValue(fields, { ...base, 'limits.perSecond': '1.5' }).errors).toEqual({ 'limits.perSecond': 'Per second must be a whole number' });
  });

  it('checks patterns and arrays of enums', () => {
    const fields = fieldsOf({
      type: 'object',
      properties: { code: { type: 'string', pattern: '^[a-z]+$' }, on: { type: 'array', items: { type: 'string', enum: ['A', 'B'] }, minItems: 1 } },
      required: ['on'],
    });
    expect(buildValue(fields, { code: 'ABC', on: [] }).errors).toEqual({ code: expect.stringMatching(/expected form/), on: 'On is required' });
    expect(buildValue(fields, { code: 'abc', on: ['B'] }).value).toEqual({ code: 'abc', on: ['B'] });
  });
});

describe('the create-connection form generated from a provider descriptor', () => {
  it('offers the provider auth modes as a select, its default base URL as help, and groups for budget and retry policy', () => {
    render(<SchemaForm schema={connectionSchema(provider())} submitLabel="Create connection" onSubmit={() => undefined} />);
    const auth = screen.getByLabelText(/^Auth mode/) as HTMLSelectElement;
    expect([...auth.options].map((option) => option.value)).toEqual(['', 'github-app', 'bearer']);
    expect(screen.getByText('Default: https://api.github.com')).toBeTruthy();
    expect(screen.getByRole('group', { name: /Rate-limit budget/ })).toBeTruthy();
    expect(screen.getByRole('group', { name: /Retry policy/ })).toBeTruthy();
    expect(screen.getByRole('group', { name: /Retry on/ })).toBeTruthy();
  });

  it('merges the descriptor configuration schema when the provider publishes one (required fields included)', async () => {
    const onSubmit = vi.fn();
    const user = userEvent.setup();
    const schema = connectionSchema(
      provider({
        configurationSchema: {
          type: 'object',
          required: ['organization'],
          properties: { organization: { type: 'string', title: 'Organization' }, installationId: { type: 'integer', title: 'Installation id', minimum: 1 } },
        },
      }),
    );
    render(<SchemaForm schema={schema} submitLabel="Create connection" onSubmit={onSubmit} />);
    await user.type(screen.getByLabelText(/^Display name/), 'Octo');
    await user.click(screen.getByRole('button', { name: 'Create connection' }));
    expect(screen.getByText('Organization is required')).toBeTruthy();
    await user.type(screen.getByLabelText(/^Organization/), 'octo-org');
    await user.type(screen.getByLabelText(/^Installation id/), '42');
    await user.selectOptions(screen.getByLabelText(/^Auth mode/), 'bearer');
    await user.click(screen.getByRole('button', { name: 'Create connection' }));
    expect(onSubmit).toHaveBeenCalledWith({ displayName: 'Octo', configuration: { auth: 'bearer', organization: 'octo-org', installationId: 42 } });
  });

  it('has no configuration, budget or retry fields for a webhooks-only provider', () => {
    render(
      <SchemaForm
        schema={connectionSchema(provider({ id: 'standard-webhooks', authModes: [], defaultBaseUrl: null }))}
        submitLabel="Create connection"
        onSubmit={() => undefined}
      />,
    );
    expect(screen.queryByRole('group', { name: /Configuration/ })).toBeNull();
    expect(screen.queryByRole('group', { name: /Retry policy/ })).toBeNull();
    expect(screen.getByLabelText(/^Display name/)).toBeTruthy();
  });

  it('offers OAuth fields only for providers with an oauth2 auth mode', () => {
    const { unmount } = render(
      <SchemaForm schema={connectionSchema(provider({ authModes: ['oauth2-client-credentials'] }))} submitLabel="Create connection" onSubmit={() => undefined} />,
    );
    expect(screen.getByLabelText(/^Token URL/)).toBeTruthy();
    expect(screen.getByLabelText(/^OAuth scopes/)).toBeTruthy();
    unmount();
    render(<SchemaForm schema={connectionSchema(provider())} submitLabel="Create connection" onSubmit={() => undefined} />);
    expect(screen.queryByLabelText(/^Token URL/)).toBeNull();
  });
});
