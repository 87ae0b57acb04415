import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { Observable, throwError } from 'rxjs';
import { IntegrationError } from '../resilience/failure-classifier';
import { integrationErrorStatus } from './integration-error-status';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/**
 * Errors raised by Express's body parser before a route runs, mapped to what the client did wrong.
 * (Malformed JSON never gets here: Nest turns the parser's SyntaxError into a BadRequestException.)
 */
const BODY_PARSER_ERRORS: Record<string, (error: { limit?: number }) => [number, string]> = {
  'entity.too.large': (error) => [HttpStatus.PAYLOAD_TOO_LARGE, `The request body exceeds the limit of ${error.limit} bytes`],
  'encoding.unsupported': () => [HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'The request body encoding is not supported'],
  'charset.unsupported': () => [HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'The request body charset is not supported'],
  'request.aborted': () => [HttpStatus.BAD_REQUEST, 'The request was aborted by the client'],
};

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
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (exception instanceof IntegrationError) {
      this.decorate(response, exception);
      if (body.statusCode >= 500) this.logger.warn({ msg: 'Vendor call failed', category: exception.category, code: exception.code, statusCode: body.statusCode });
    } else if (body.statusCode >= 500) {
      this.logger.error({ msg: 'Unhandled error while serving a request', err: exception });
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response.status(body.statusCode).json(body);
  }

  /** Retry-After for waits the platform knows (budget, breaker), and the run the failure belongs to. */
  private decorate(response: Response, error: IntegrationError): void {
    if (response.headersSent) return;
    if (error.retryAfterMs !== undefined) response.setHeader('retry-after', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
    const runId = (error as IntegrationError & { run?: { id: string } }).run?.id;
    if (runId) response.setHeader('x-integration-run-id', runId);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const answer = exception.getResponse();
      const message = typeof answer === 'string' ? answer : (answer as { message?: unknown }).message ?? exception.message;
      return { statusCode, error: reasonPhrase(statusCode), message: Array.isArray(message) ? message.join('; ') : String(message) };
    }
    if (exception instanceof IntegrationError) {
      const statusCode = integrationErrorStatus(exception);
      return { statusCode, error: reasonPhrase(statusCode), message: exception.message };
    }
    const parserError = exception as { type?: string; limit?: number };
    const mapped = parserError?.type ? BODY_PARSER_ERRORS[parserError.type] : undefined;
    if (mapped) {
      const [statusCode, message] = mapped(parserError);
      return { statusCode, error: reasonPhrase(statusCode), message };
    }
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
