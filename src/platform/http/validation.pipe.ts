import { ArgumentMetadata, PipeTransform, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';

/** How every request body is validated: unknown properties are refused, values become their DTO class. */
export const REQUEST_VALIDATION_OPTIONS: ValidationPipeOptions = { whitelist: true, forbidNonWhitelisted: true, transform: true };

/**
 * Nest's ValidationPipe, created on the first argument it has to validate: constructing it loads
 * class-validator (~80 ms of boot), which roles without request DTOs (workers, consumers) never need.
 */
export class RequestValidationPipe implements PipeTransform {
  private pipe?: ValidationPipe;

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    this.pipe ??= new ValidationPipe(REQUEST_VALIDATION_OPTIONS);
    return this.pipe.transform(value, metadata);
  }
}
