import { BeforeApplicationShutdown, Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { TenantContext } from '../context/tenant-context';
import { SseWriter } from '../http/sse-writer';
import { ProcessLifecycle } from '../lifecycle/process-lifecycle';
import { LiveEvent, LiveEvents } from './live-events';
import { scopeToSee } from './live-event-scopes';

const HEARTBEAT_MS = 15_000;
/** A reader this far behind is cut off: it reconnects and refetches instead of the process buffering for it. */
const MAX_BACKLOG_BYTES = 1024 * 1024;
const RECONNECT_AFTER_MS = 3_000;

/**
 * `GET /live/events`: the tenant's events as they happen, as server-sent events, for the console's live
 * pages. Each event is shown only to a token with the scope that reads what it is about. Nothing is
 * replayed on reconnect (`Last-Event-ID` is not honoured): the console refetches what it shows.
 */
@Controller('live')
export class LiveEventsController implements BeforeApplicationShutdown {
  private readonly streams = new Set<SseWriter>();

  constructor(
    private readonly live: LiveEvents,
    private readonly tenant: TenantContext,
    lifecycle: ProcessLifecycle,
  ) {
    // A stream never ends by itself: draining ends them, so shutdown does not wait out its grace period.
    lifecycle.onDrain(() => this.endStreams());
  }

  beforeApplicationShutdown(): void {
    this.endStreams();
  }

  private endStreams(): void {
    for (const stream of this.streams) stream.end();
  }

  @Get('events')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'Server-sent events of the tenant, each shown only to a token with the scope that reads it: `id`, `event: <type>`, `data: {"id","type","subject","time","data"}`; `: ping` comments every 15 s. Nothing is replayed on reconnect.',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  stream(@Res() reply: FastifyReply): void {
    const tenantId = this.tenant.tenantId;
    const scopes = this.tenant.scopes;
    reply.hijack();
    const writer = new SseWriter(reply.raw);
    writer.start({});
    this.streams.add(writer);
    void writer.retryAfter(RECONNECT_AFTER_MS);

    const deliver = (event: LiveEvent) => {
      if (!scopes.has(scopeToSee(event.type))) return;
      if (writer.backlogBytes > MAX_BACKLOG_BYTES) return writer.end();
      void writer.event(event.type, event, event.id);
    };
    const unsubscribe = this.live.subscribe(tenantId, deliver);
    const heartbeat = setInterval(() => void writer.comment('ping'), HEARTBEAT_MS);
    heartbeat.unref();
    reply.raw.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.streams.delete(writer);
    });
  }
}
