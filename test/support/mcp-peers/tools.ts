import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** A 1×1 transparent PNG. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
export const EMBEDDED_RESOURCE_URI = 'mcp-peer://resources/readme.txt';
export const FAILED_ON_PURPOSE = 'the tool failed on purpose';
export const THROWN_MESSAGE = 'the tool threw on purpose';

export interface ToolCall {
  readonly name: string;
  readonly arguments: unknown;
  readonly sessionId: string | undefined;
}

export interface CancelledCall {
  readonly name: string;
  readonly sessionId: string | undefined;
  /** Steps finished before the signal came. */
  readonly completedSteps: number;
}

/** What the tools tell the peer about. */
export interface ToolObserver {
  called(call: ToolCall): void;
  cancelled(call: CancelledCall): void;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

interface ToolConfig<Shape extends z.ZodRawShape> {
  title: string;
  description: string;
  inputSchema: Shape;
  outputSchema?: z.ZodRawShape;
}

/**
 * `server.registerTool` with the handler typed from the zod shape here: the SDK's own inference over
 * its zod v3/v4 compatibility types trips TS2589 (type instantiation excessively deep).
 */
function tool<Shape extends z.ZodRawShape>(
  server: McpServer,
  name: string,
  config: ToolConfig<Shape>,
  handler: (args: z.infer<z.ZodObject<Shape>>, extra: Extra) => CallToolResult | Promise<CallToolResult>,
): RegisteredTool {
  const register = server.registerTool.bind(server) as (name: string, config: unknown, handler: unknown) => RegisteredTool;
  return register(name, config, handler);
}

function text(value: string) {
  return { content: [{ type: 'text' as const, text: value }] };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The fixed tool set every session gets. */
export function registerStandardTools(server: McpServer, observer: ToolObserver): void {
  tool(server, 'echo', { title: 'Echo', description: 'Repeats the text', inputSchema: { text: z.string(), times: z.number().int().min(1).max(5).optional() } }, (args, extra) => {
    observer.called({ name: 'echo', arguments: args, sessionId: extra.sessionId });
    return text(args.text.repeat(args.times ?? 1));
  });

  tool(server, 'add', { title: 'Add', description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() }, outputSchema: { sum: z.number() } }, (args, extra) => {
    observer.called({ name: 'add', arguments: args, sessionId: extra.sessionId });
    const sum = args.a + args.b;
    return { ...text(String(sum)), structuredContent: { sum } };
  });

  tool(
    server,
    'slow',
    {
      title: 'Slow',
      description: 'Takes its time, reporting progress at each step',
      inputSchema: { steps: z.number().int().min(1).max(20), delayMs: z.number().int().min(0).optional() },
    },
    async (args, extra) => {
      observer.called({ name: 'slow', arguments: args, sessionId: extra.sessionId });
      const progressToken = extra._meta?.progressToken;
      for (let step = 1; step <= args.steps; step++) {
        await pause(args.delayMs ?? 50, extra.signal);
        if (extra.signal.aborted) {
          observer.cancelled({ name: 'slow', sessionId: extra.sessionId, completedSteps: step - 1 });
          return text('cancelled');
        }
        if (progressToken !== undefined) {
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: step, total: args.steps, message: `step ${step}` } });
        }
      }
      return text('done');
    },
  );

  tool(server, 'fails', { title: 'Fails', description: 'Answers a tool error', inputSchema: {} }, (args, extra) => {
    observer.called({ name: 'fails', arguments: args, sessionId: extra.sessionId });
    return { ...text(FAILED_ON_PURPOSE), isError: true };
  });

  tool(server, 'throws', { title: 'Throws', description: 'Throws from its handler', inputSchema: {} }, (args, extra) => {
    observer.called({ name: 'throws', arguments: args, sessionId: extra.sessionId });
    throw new Error(THROWN_MESSAGE);
  });

  tool(server, 'image', { title: 'Image', description: 'Answers an image and an embedded resource', inputSchema: {} }, (args, extra) => {
    observer.called({ name: 'image', arguments: args, sessionId: extra.sessionId });
    return {
      content: [
        { type: 'image' as const, data: PNG_BASE64, mimeType: 'image/png' },
        { type: 'resource' as const, resource: { uri: EMBEDDED_RESOURCE_URI, mimeType: 'text/plain', text: 'an embedded resource' } },
      ],
    };
  });

  tool(server, 'big', { title: 'Big', description: 'Answers that many KiB of text', inputSchema: { kb: z.number().int().min(0) } }, (args, extra) => {
    observer.called({ name: 'big', arguments: args, sessionId: extra.sessionId });
    return text('x'.repeat(args.kb * 1024));
  });
}

/** A trivial tool added at run time (for list_changed): answers its own name. */
export function registerExtraTool(server: McpServer, name: string, observer: ToolObserver): RegisteredTool {
  return tool(server, name, { title: name, description: `An extra tool, ${name}`, inputSchema: {} }, (args, extra) => {
    observer.called({ name, arguments: args, sessionId: extra.sessionId });
    return text(name);
  });
}
