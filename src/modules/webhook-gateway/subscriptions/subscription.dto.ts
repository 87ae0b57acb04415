import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, IsUrl, Length, Matches } from 'class-validator';
import { OptionalField } from '../../../platform/http/optional-field';

/**
 * `*`, an event type (the platform's own `IntegrationRunCompleted`, a vendor's normalised
 * `com.github.pull_request.opened`, a factory event), or a prefix pattern ending in `.*` (`com.github.*`).
 */
const EVENT_TYPE = /^(\*|[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}(\.\*)?)$/;
const URL_OPTIONS = { protocols: ['https', 'http'], require_protocol: true, require_tld: false };

export class CreateSubscriptionDto {
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @Length(1, 2048)
  url: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(EVENT_TYPE, { each: true, message: 'eventTypes must be "*", event type names or prefix patterns such as "com.github.*"' })
  eventTypes: string[];

  @OptionalField()
  @IsString()
  @Length(0, 500)
  description?: string;
}

export class UpdateSubscriptionDto {
  @OptionalField()
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @Length(1, 2048)
  url?: string;

  @OptionalField()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(EVENT_TYPE, { each: true, message: 'eventTypes must be "*", event type names or prefix patterns such as "com.github.*"' })
  eventTypes?: string[];

  @OptionalField()
  @IsIn(['Active', 'Disabled'])
  status?: 'Active' | 'Disabled';

  /** null clears it. */
  @OptionalField({ nullable: true })
  @IsString()
  @Length(0, 500)
  description?: string | null;
}
