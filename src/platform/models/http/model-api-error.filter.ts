import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ModelCallError } from '../model-calls';
import { error, errorFailure } from '../model-failures';
import type { VendorModelError } from '../model-protocol';
import { IntegrationError } from '../../resilience/failure-classifier';

const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
};

/**
 * The chat-completions surface answers errors as that API does, `{error: {message, type, param, code}}`,
 * so its clients (the official SDKs) raise their typed errors; the vendor's rate-limit headers go with a
 * 429. Everything else about the answer is the platform's usual one.
 */
@Catch()
export class ModelApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(ModelApiErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, headers } = this.answerTo(exception);
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    reply.code(status).type('application/json; charset=utf-8').send({ error: body });
  }

  private answerTo(exception: unknown): { status: number; body: VendorModelError; headers: Record<string, string> } {
    if (exception instanceof ModelCallError) {
      const headers: Record<string, string> = { ...(exception.details.headers ?? {}) };
      if (exception.details.requestId) headers['x-request-id'] = exception.details.requestId;
      const lastRun = exception.details.attempts?.at(-1)?.runId;
      if (lastRun) headers['x-integration-run-id'] = lastRun;
      return { status: exception.status, body: exception.error, headers };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const answer = exception.getResponse();
      const message = typeof answer === 'string' ? answer : ((answer as { message?: unknown }).message ?? exception.message);
      const text = Array.isArray(message) ? message.join('; ') : String(message);
      return { status, body: error(text, TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error'), null), headers: {} };
    }
    if (exception instanceof IntegrationError) {
      const { callError } = errorFailure(exception);
      return { status: callError.status, body: callError.error, headers: { ...(callError.details.headers ?? {}) } };
    }
    this.logger.error({ msg: 'Unhandled error while serving a model call', err: exception });
    return { status: 500, body: error('Internal server error', 'server_error', null), headers: {} };
  }
}
