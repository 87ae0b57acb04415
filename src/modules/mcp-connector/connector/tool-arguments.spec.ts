import { ToolArguments } from './tool-arguments';

describe('ToolArguments', () => {
  const schema = { type: 'object', properties: { a: { type: 'number' }, text: { type: 'string' } }, required: ['a'], additionalProperties: false };

  it('names every problem by its path', () => {
    expect(() => new ToolArguments().assert('add', schema, { a: 'two', extra: 1 })).toThrow(
      /Invalid arguments for tool add: arguments has unknown property 'extra'; arguments\/a must be number/,
    );
    expect(() => new ToolArguments().assert('add', schema, {})).toThrow(/arguments must have required property 'a'/);
  });

  it('accepts what the schema allows, and leaves a schema it cannot compile to the server', () => {
    const checks = new ToolArguments();
    expect(() => checks.assert('add', schema, { a: 1 })).not.toThrow();
    expect(() => checks.assert('odd', { type: 'object', properties: { a: { type: 'no-such-type' } } }, { a: 1 })).not.toThrow();
    expect(() => checks.assert('vendor', { type: 'object', 'x-vendor-keyword': true }, {})).not.toThrow();
  });
});
