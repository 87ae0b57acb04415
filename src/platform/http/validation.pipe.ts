import { ArgumentMetadata, PipeTransform, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';

const OPTIONS: ValidationPipeOptions = { whitelist: true, forbidNonWhitelisted: true, transform: true };

/**
 * Nest's ValidationPipe, created on the first argument it has to validate: constructing it loads
 * class-validator (~80 ms of boot), which roles without request DTOs (workers, consumers) never need.
 */
export class RequestValidationPipe implements PipeTransform {
  private pipe?: ValidationPipe;

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    this.pipe ??= new ValidationPipe(OPTIONS);
    return this.pipe.transform(value, metadata);
  }
}
