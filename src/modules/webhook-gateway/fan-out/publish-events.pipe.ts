import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { REQUEST_VALIDATION_OPTIONS } from '../../../platform/http/validation.pipe';
import { WebhookGatewayOptions } from '../webhook-gateway.options';
import { PublishEventDto } from './publish-event.dto';

/** One item's validation errors, thrown by the item pipe and turned into messages that name the item. */
class InvalidItem extends Error {
  constructor(readonly errors: readonly ValidationError[]) {
    super('Invalid event in the batch');
  }
}

const AS_EVENT: ArgumentMetadata = { type: 'body', metatype: PublishEventDto };

/**
 * The body of `POST /webhooks/events`: one event (validated as every request body is), or an array of
 * 1..WEBHOOK_EVENTS_BATCH_LIMIT events validated as a whole before anything is published: one 400 lists
 * every invalid item by index (`[3].type must be …`).
 */
@Injectable()
export class PublishEventsPipe implements PipeTransform<unknown, Promise<PublishEventDto | PublishEventDto[]>> {
  private readonly single = new ValidationPipe(REQUEST_VALIDATION_OPTIONS);
  private readonly item = new ValidationPipe({ ...REQUEST_VALIDATION_OPTIONS, exceptionFactory: (errors) => new InvalidItem(errors) });

  constructor(private readonly options: WebhookGatewayOptions) {}

  async transform(body: unknown): Promise<PublishEventDto | PublishEventDto[]> {
    if (!Array.isArray(body)) return this.single.transform(body, AS_EVENT) as Promise<PublishEventDto>;
    const limit = this.options.eventsBatchLimit;
    if (body.length === 0) throw new BadRequestException(`The batch is empty: send 1 to ${limit} events`);
    if (body.length > limit) throw new BadRequestException(`A batch holds at most ${limit} events (WEBHOOK_EVENTS_BATCH_LIMIT); this one has ${body.length}`);
    const events: PublishEventDto[] = [];
    const problems: string[] = [];
    for (const [index, item] of body.entries()) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        problems.push(`[${index}] must be an event object {type, data, id?}`);
        continue;
      }
      try {
        events.push((await this.item.transform(item, AS_EVENT)) as PublishEventDto);
      } catch (error) {
        if (!(error instanceof InvalidItem)) throw error;
        problems.push(...error.errors.flatMap((invalid) => messagesOf(index, invalid)));
      }
    }
    if (problems.length > 0) throw new BadRequestException(problems);
    return events;
  }
}

/** `[3].type must be …` for a constraint on a property; `[3] property x should not exist` for the rest. */
function messagesOf(index: number, error: ValidationError): string[] {
  return Object.values(error.constraints ?? {}).map((message) => (message.startsWith(`${error.property} `) ? `[${index}].${message}` : `[${index}] ${message}`));
}
