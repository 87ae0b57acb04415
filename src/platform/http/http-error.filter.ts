import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Observable, throwError } from 'rxjs';
import { IntegrationError } from '../resilience/failure-classifier';
import { integrationErrorStatus } from './integration-error-status';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/** An error Fastify raised itself before a route ran (a bad URL, a bad Content-Length): its 4xx stands. */
function fastifyClientError(exception: unknown): { statusCode: number; message: string } | undefined {
  const error = exception as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof error?.code !== 'string' || !error.code.startsWith('FST_')) return undefined;
  if (typeof error.statusCode !== 'number' || error.statusCode < 400 || error.statusCode >= 500) return undefined;
  return { statusCode: error.statusCode, message: typeof error.message === 'string' ? error.message : 'Bad request' };
}

/**
 * Every error answer has the contract's shape `{statusCode, error, message}`. Client mistakes keep
 * their 4xx; anything unexpected is a 500 whose message reveals nothing, logged with its stack.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    // Bus handlers: hand the original error back to the transport, whose settlement policy reads it
    // (Nest's default would replace it with a generic "Internal server error" object).
    if (host.getType() === 'rpc') return throwError(() => exception);
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<FastifyReply>();
    const body = this.toBody(exception);
    if (exception instanceof IntegrationError) {
      this.decorate(response, exception);
      if (body.statusCode >= 500) this.logger.warn({ msg: 'Vendor call failed', category: exception.category, code: exception.code, statusCode: body.statusCode });
    } else if (body.statusCode >= 500) {
      this.logger.error({ msg: 'Unhandled error while serving a request', err: exception });
    }
    if (response.sent || response.raw.headersSent) {
      response.raw.destroy();
      return;
    }
    response.code(body.statusCode).type('application/json; charset=utf-8').send(body);
  }

  /** Retry-After for waits the platform knows (budget, breaker), and the run the failure belongs to. */
  private decorate(response: FastifyReply, error: IntegrationError): void {
    if (response.sent) return;
    if (error.retryAfterMs !== undefined) response.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
    const runId = (error as IntegrationError & { run?: { id: string } }).run?.id;
    if (runId) response.header('x-integration-run-id', runId);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const answer = exception.getResponse();
      const message = typeof answer === 'string' ? answer : ((answer as { message?: unknown }).message ?? exception.message);
      return { statusCode, error: reasonPhrase(statusCode), message: Array.isArray(message) ? message.join('; ') : String(message) };
    }
    if (exception instanceof IntegrationError) {
      const statusCode = integrationErrorStatus(exception);
      return { statusCode, error: reasonPhrase(statusCode), message: exception.message };
    }
    const clientError = fastifyClientError(exception);
    if (clientError) return { ...clientError, error: reasonPhrase(clientError.statusCode) };
    return { statusCode: 500, error: reasonPhrase(500), message: 'Internal server error' };
  }
}

function reasonPhrase(statusCode: number): string {
  const name = HttpStatus[statusCode];
  if (!name) return statusCode >= 500 ? 'Internal Server Error' : 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}
