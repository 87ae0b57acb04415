import { IsDefined, IsString, Length, Matches } from 'class-validator';
import { OptionalField } from '../../../platform/http/optional-field';

export class PublishEventDto {
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/, { message: 'type must be an event type name (letters, digits, . _ : / -)' })
  type: string;

  @IsDefined({ message: 'data is required' })
  data: unknown;

  /** The idempotency key: the same id again delivers nothing new. */
  @OptionalField()
  @IsString()
  @Length(1, 200)
  @Matches(/^[\x21-\x7e]+$/, { message: 'id must be printable ASCII without spaces' })
  id?: string;
}
