import { status } from '@grpc/grpc-js';
import { GrpcError } from '../../../platform/grpc/grpc-error';
import { loadServiceDefinition } from '../../../platform/grpc/proto-files';
import { MCP_CONNECTOR_PROTO, MCP_CONNECTOR_SERVICE } from './mcp-proto.messages';
import { parseArguments, requiredField, toContentMessage, toInvokeToolResponse, toListToolsResponse, toProgressEvent, toResultEvent } from './mcp-proto-translation';

const refusal = (work: () => unknown): GrpcError => {
  try {
    work();
  } catch (error) {
    return error as GrpcError;
  }
  throw new Error('expected a refusal');
};

describe('integration.mcp.v1 translation', () => {
  it('names a proto file that declares the service and its three methods', () => {
    expect(Object.keys(loadServiceDefinition(MCP_CONNECTOR_PROTO, MCP_CONNECTOR_SERVICE))).toEqual(['ListTools', 'InvokeTool', 'InvokeToolStream']);
  });

  it('parses arguments_json as an object, empty text as {}', () => {
    expect(parseArguments('{"city":"Paris","n":{"a":[1,2]}}')).toEqual({ city: 'Paris', n: { a: [1, 2] } });
    expect(parseArguments('')).toEqual({});
    expect(parseArguments('  ')).toEqual({});
    expect(parseArguments(undefined)).toEqual({});
  });

  it.each([
    ['{not json', /^arguments_json is not valid JSON/],
    ['[1,2]', /^arguments_json must be a JSON object, not an array$/],
    ['null', /^arguments_json must be a JSON object, not null$/],
    ['"text"', /^arguments_json must be a JSON object, not a string$/],
    ['42', /^arguments_json must be a JSON object, not a number$/],
  ])('refuses arguments_json %s INVALID_ARGUMENT naming the field', (text, message) => {
    const error = refusal(() => parseArguments(text));
    expect(error).toBeInstanceOf(GrpcError);
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.message).toMatch(message);
  });

  it('requires connection_id and tool_name', () => {
    expect(requiredField('c', 'connection_id')).toBe('c');
    expect(refusal(() => requiredField('', 'tool_name'))).toMatchObject({ code: status.INVALID_ARGUMENT, message: 'tool_name is required' });
  });

  it('translates tools, keeping schema key order and leaving absent fields unset', () => {
    const response = toListToolsResponse([
      {
        name: 'weather',
        title: 'Weather',
        description: 'Forecasts',
        inputSchema: { type: 'object', properties: { zeta: { type: 'string' }, alpha: { type: 'integer' } } },
        outputSchema: { type: 'object' },
        annotations: { readOnlyHint: true },
      },
      { name: 'bare', inputSchema: { type: 'object' } },
    ]);
    expect(response.tools).toEqual([
      {
        name: 'weather',
        title: 'Weather',
        description: 'Forecasts',
        input_schema_json: '{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"integer"}}}',
        output_schema_json: '{"type":"object"}',
        annotations_json: '{"readOnlyHint":true}',
      },
      { name: 'bare', input_schema_json: '{"type":"object"}' },
    ]);
  });

  it('translates content blocks, the whole block always in json', () => {
    expect(toContentMessage({ type: 'text', text: 'hi' })).toEqual({ type: 'text', text: 'hi', json: '{"type":"text","text":"hi"}' });
    expect(toContentMessage({ type: 'image', data: 'aGk=', mimeType: 'image/png' })).toEqual({
      type: 'image',
      data: 'aGk=',
      mime_type: 'image/png',
      json: '{"type":"image","data":"aGk=","mimeType":"image/png"}',
    });
    const resource = { type: 'resource', resource: { uri: 'file:///a.txt', text: 'A', mimeType: 'text/plain' } };
    expect(toContentMessage(resource)).toEqual({ type: 'resource', json: JSON.stringify(resource) });
  });

  it('translates a result with structured content and isError, and progress events', () => {
    const result = { content: [{ type: 'text', text: 'failed' }], structuredContent: { ok: false }, isError: true, runId: 'run-1' };
    expect(toInvokeToolResponse(result)).toEqual({
      content: [{ type: 'text', text: 'failed', json: '{"type":"text","text":"failed"}' }],
      structured_content_json: '{"ok":false}',
      is_error: true,
      run_id: 'run-1',
    });
    expect(toInvokeToolResponse({ content: [], isError: false, runId: 'run-2' })).toEqual({ content: [], is_error: false, run_id: 'run-2' });
    expect(toResultEvent({ content: [], isError: false, runId: 'run-2' })).toEqual({ result: { content: [], is_error: false, run_id: 'run-2' } });
    expect(toProgressEvent({ progress: 1, total: 3, message: 'step 1' })).toEqual({ progress: { progress: 1, total: 3, message: 'step 1' } });
    expect(toProgressEvent({ progress: 0.5 })).toEqual({ progress: { progress: 0.5 } });
  });
});
