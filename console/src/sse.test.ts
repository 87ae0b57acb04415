import { describe, expect, it, vi } from 'vitest';
import { backoffDelay, connectLive, SseParser, type SseEvent } from './sse';

describe('SseParser', () => {
  it('parses events with id, event and data, and skips comment heartbeats', () => {
    const parser = new SseParser();
    const events = parser.push(': ping\n\nid: 7\nevent: WebhookDelivered\ndata: {"type":"WebhookDelivered"}\n\n');
    expect(events).toEqual([{ type: 'WebhookDelivered', data: '{"type":"WebhookDelivered"}', id: '7' }]);
    expect(parser.lastEventId).toBe('7');
  });

  it('joins multi-line data, defaults the type to message, keeps the last id for later events', () => {
    const parser = new SseParser();
    expect(parser.push('id: a\ndata: one\ndata: two\n\ndata:three\n\n')).toEqual([
      { type: 'message', data: 'one\ntwo', id: 'a' },
      { type: 'message', data: 'three', id: 'a' },
    ]);
  });

  it('reassembles events split across chunks at any byte, with CRLF and lone CR line ends', () => {
    const text = 'id: 1\r\nevent: A\r\ndata: x\r\n\r\nid: 2\revent: B\rdata: y\r\r';
    for (let cut = 1; cut < text.length; cut += 1) {
      const parser = new SseParser();
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      expect(events.map((event) => `${event.id}${event.type}${event.data}`)).toEqual(['1Ax', '2By']);
    }
  });

  it('does not dispatch an event without data, ignores unknown fields, reads retry', () => {
    const parser = new SseParser();
    expect(parser.push('event: Nothing\nfoo: bar\nretry: 2500\n\n')).toEqual([]);
    expect(parser.retry).toBe(2500);
    expect(parser.push('data\n\n')).toEqual([{ type: 'message', data: '', id: '' }]);
  });

  it('keeps an incomplete event until its blank line arrives', () => {
    const parser = new SseParser();
    expect(parser.push('data: half')).toEqual([]);
    expect(parser.push('\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ type: 'message', data: 'half', id: '' }]);
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter of ±20 %', () => {
    expect(backoffDelay(1, 1000, 30000, () => 0.5)).toBe(1000);
    expect(backoffDelay(3, 1000, 30000, () => 0.5)).toBe(4000);
    expect(backoffDelay(10, 1000, 30000, () => 0.5)).toBe(30000);
    expect(backoffDelay(1, 1000, 30000, () => 0)).toBe(800);
    expect(backoffDelay(1, 1000, 30000, () => 1)).toBe(1200);
  });
});

function streamOf(chunks: string[], keepOpen = false): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      if (!keepOpen) controller.close();
    },
  });
}

describe('connectLive', () => {
  it('sends the bearer token, reconnects after the stream ends with Last-Event-ID, and stops on 401', async () => {
    const calls: Array<Record<string, string>> = [];
    const answers = [
      () => new Response(streamOf(['id: e1\nevent: WebhookDelivered\ndata: {}\n\n']), { status: 200 }),
      () => new Response('down', { status: 503 }),
      () => new Response(streamOf(['id: e2\nevent: IntegrationFailed\ndata: {}\n\n']), { status: 200 }),
      () => new Response('no', { status: 401 }),
    ];
    const fetchImpl = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ ...(init?.headers as Record<string, string>) });
      return answers[calls.length - 1]();
    });
    const events: SseEvent[] = [];
    const statuses: string[] = [];
    const sleeps: number[] = [];
    const stopped = new Promise<void>((resolve) => {
      connectLive({
        url: '/live/events',
        token: 'tok',
        fetchImpl: fetchImpl as unknown as typeof fetch,
        onEvent: (event) => events.push(event),
        onStatus: (status) => {
          statuses.push(status);
          if (status === 'stopped') resolve();
        },
        minDelayMs: 10,
        maxDelayMs: 100,
        sleep: async (ms) => void sleeps.push(ms),
      });
    });
    await stopped;
    expect(events.map((event) => event.type)).toEqual(['WebhookDelivered', 'IntegrationFailed']);
    expect(calls[0].authorization).toBe('Bearer tok');
    expect(calls[0]['last-event-id']).toBeUndefined();
    expect(calls[1]['last-event-id']).toBe('e1');
    expect(calls[2]['last-event-id']).toBe('e1');
    expect(calls[3]['last-event-id']).toBe('e2');
    expect(sleeps).toHaveLength(3);
    // after the 503 the delay grows; a stream that opened resets it
    expect(sleeps[1]).toBeGreaterThan(sleeps[0]);
    expect(statuses).toContain('open');
  });

  it('stops when asked, mid-stream', async () => {
    let aborted = false;
    const fetchImpl = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      init?.signal?.addEventListener('abort', () => (aborted = true));
      return new Response(streamOf([': ping\n\n'], true), { status: 200 });
    });
    const opened = new Promise<() => void>((resolve) => {
      const stop = connectLive({
        url: '/live/events',
        token: 't',
        fetchImpl: fetchImpl as unknown as typeof fetch,
        onEvent: () => undefined,
        onStatus: (s) => s === 'open' && resolve(stop),
      });
    });
    (await opened)();
    expect(aborted).toBe(true);
  });
});
