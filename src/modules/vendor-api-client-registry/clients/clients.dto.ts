import { Type } from 'class-transformer';
import { IsString, IsUrl, Length, Matches, ValidateNested } from 'class-validator';
import { OptionalField } from '../../../platform/http/optional-field';
import { RateLimitBudgetDto, RetryPolicyDto } from '../connections/connection.dto';

export class RegisterClientDto {
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'providerId must be a provider id' })
  providerId: string;

  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false }, { message: 'baseUrl must be an http(s) URL' })
  baseUrl: string;

  @OptionalField()
  @IsString()
  @Length(1, 64)
  apiVersion?: string;

  @OptionalField()
  @ValidateNested()
  @Type(() => RateLimitBudgetDto)
  rateLimitProfile?: RateLimitBudgetDto;

  @OptionalField()
  @ValidateNested()
  @Type(() => RetryPolicyDto)
  retryPolicy?: RetryPolicyDto;
}
