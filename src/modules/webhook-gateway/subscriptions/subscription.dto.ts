import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, IsUrl, Length, Matches } from 'class-validator';

/** `*`, or an event type: the platform's own (`IntegrationRunCompleted`), a vendor's normalised one (`github.pull_request.opened`), or a factory event. */
const EVENT_TYPE = /^(\*|[A-Za-z0-9][A-Za-z0-9._:/-]{0,199})$/;
const URL_OPTIONS = { protocols: ['https', 'http'], require_protocol: true, require_tld: false };

export class CreateSubscriptionDto {
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @Length(1, 2048)
  url: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(EVENT_TYPE, { each: true, message: 'eventTypes must be "*" or event type names' })
  eventTypes: string[];

  @IsOptional()
  @IsString()
  @Length(0, 500)
  description?: string;
}

export class UpdateSubscriptionDto {
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @Length(1, 2048)
  url?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(EVENT_TYPE, { each: true, message: 'eventTypes must be "*" or event type names' })
  eventTypes?: string[];

  @IsOptional()
  @IsIn(['Active', 'Disabled'])
  status?: 'Active' | 'Disabled';

  @IsOptional()
  @IsString()
  @Length(0, 500)
  description?: string;
}
