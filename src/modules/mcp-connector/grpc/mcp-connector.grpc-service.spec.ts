import { Metadata, status } from '@grpc/grpc-js';
import { GrpcError } from '../../../platform/grpc/grpc-error';
import type { GrpcCallScope, ServerStreamMethod, UnaryMethod } from '../../../platform/grpc/grpc-methods';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { McpConnectorService } from '../connector/mcp-connector.service';
import type { McpTool, ToolInvocation, ToolResult } from '../connector/mcp-tools';
import { McpConnectorGrpcService } from './mcp-connector.grpc-service';

class FakeConnector extends McpConnectorService {
  invocations: Array<{ connectionId: string; toolName: string; invocation: ToolInvocation }> = [];
  answer: (invocation: ToolInvocation) => Promise<ToolResult> = async () => ({ content: [{ type: 'text', text: 'ok' }], isError: false, runId: 'run-1' });

  async listTools(): Promise<McpTool[]> {
    return [{ name: 't', inputSchema: { type: 'object' } }];
  }

  invokeTool(connectionId: string, toolName: string, invocation: ToolInvocation): Promise<ToolResult> {
    this.invocations.push({ connectionId, toolName, invocation });
    return this.answer(invocation);
  }
}

const scope = (controller = new AbortController(), deadline?: number): GrpcCallScope => ({
  principal: { tenantId: 't', subject: 's', scopes: [] } as unknown as GrpcCallScope['principal'],
  signal: controller.signal,
  deadline,
  metadata: new Metadata(),
});

describe('McpConnectorGrpcService', () => {
  const setup = () => {
    const connector = new FakeConnector();
    const methods = new McpConnectorGrpcService(connector).methods();
    return { connector, invoke: methods.InvokeTool as UnaryMethod, stream: methods.InvokeToolStream as ServerStreamMethod, methods };
  };

  it('declares the scopes', () => {
    const { methods } = setup();
    expect(methods.ListTools.scope).toBe('integration.runs.read');
    expect(methods.InvokeTool.scope).toBe('integration.runs.execute');
    expect(methods.InvokeToolStream.scope).toBe('integration.runs.execute');
  });

  it('passes the arguments, signal and deadline', async () => {
    const { connector, invoke } = setup();
    const controller = new AbortController();
    await invoke.handle({ connection_id: 'c', tool_name: 't', arguments_json: '{"a":1}' }, scope(controller, 123));
    expect(connector.invocations[0]).toMatchObject({ connectionId: 'c', toolName: 't', invocation: { arguments: { a: 1 }, signal: controller.signal, deadline: 123 } });
  });

  it('streams progress in order before the result, even when writes are slow', async () => {
    const { connector, stream } = setup();
    connector.answer = async ({ onProgress }) => {
      onProgress?.({ progress: 1 });
      onProgress?.({ progress: 2 });
      onProgress?.({ progress: 3, total: 3 });
      return { content: [], isError: false, runId: 'run-1' };
    };
    const events: unknown[] = [];
    const writer = { write: (event: unknown) => new Promise<void>((resolve) => setTimeout(() => resolve(void events.push(event)), 5)), setTrailers: () => undefined };
    await stream.handle({ connection_id: 'c', tool_name: 't', arguments_json: '' }, writer, scope());
    expect(events).toEqual([
      { progress: { progress: 1 } },
      { progress: { progress: 2 } },
      { progress: { progress: 3, total: 3 } },
      { result: { content: [], is_error: false, run_id: 'run-1' } },
    ]);
  });

  it('maps connector failures, and answers a cancelled call with the cancellation', async () => {
    const { connector, invoke } = setup();
    connector.answer = async () => Promise.reject(IntegrationError.validation('tool_not_found', 'No tool t'));
    await expect(invoke.handle({ connection_id: 'c', tool_name: 't', arguments_json: '' }, scope())).rejects.toMatchObject({ code: status.NOT_FOUND, message: 'No tool t' });

    const controller = new AbortController();
    controller.abort(new GrpcError(status.CANCELLED, 'The call was cancelled'));
    connector.answer = async () => Promise.reject(IntegrationError.transient('aborted', 'aborted'));
    await expect(invoke.handle({ connection_id: 'c', tool_name: 't', arguments_json: '' }, scope(controller))).rejects.toMatchObject({ code: status.CANCELLED });
  });

  it('refuses bad arguments_json before calling the connector', async () => {
    const { connector, invoke } = setup();
    await expect(invoke.handle({ connection_id: 'c', tool_name: 't', arguments_json: '[1]' }, scope())).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    expect(connector.invocations).toHaveLength(0);
  });
});
