import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsObject, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { OptionalField } from '../../../platform/http/optional-field';

export class WebhookSettingsDto {
  @Matches(/^cred-[0-9a-f]{32}$/, { message: 'webhook.secretCredentialId must be a credential id' })
  secretCredentialId: string;

  @OptionalField()
  @IsObject()
  verifierOptions?: Record<string, string>;
}

export class RateLimitBudgetDto {
  @IsInt()
  @Min(1)
  @Max(100_000)
  requestsPerSecond: number;

  @IsInt()
  @Min(1)
  @Max(100_000)
  burst: number;
}

export class RetryPolicyDto {
  @IsInt()
  @Min(1)
  @Max(50)
  maxAttempts: number;

  @IsInt()
  @Min(0)
  @Max(86_400_000)
  baseDelayMs: number;

  @IsInt()
  @Min(0)
  @Max(86_400_000)
  maxDelayMs: number;

  @OptionalField()
  @IsArray()
  @IsIn(['Transient', 'RateLimited'], { each: true })
  retryOn?: Array<'Transient' | 'RateLimited'>;
}

export class CreateConnectionDto {
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'providerId must be a provider id' })
  providerId: string;

  @IsString()
  @Length(1, 200)
  displayName: string;

  @OptionalField()
  @IsString()
  @Length(1, 128)
  projectId?: string;

  @OptionalField()
  @Matches(/^cred-[0-9a-f]{32}$/, { message: 'credentialId must be a credential id' })
  credentialId?: string;

  @OptionalField()
  @ValidateNested()
  @Type(() => WebhookSettingsDto)
  webhook?: WebhookSettingsDto;

  @OptionalField()
  @IsObject()
  configuration?: Record<string, unknown>;

  @OptionalField()
  @ValidateNested()
  @Type(() => RateLimitBudgetDto)
  rateLimitBudget?: RateLimitBudgetDto;

  @OptionalField()
  @ValidateNested()
  @Type(() => RetryPolicyDto)
  retryPolicy?: RetryPolicyDto;
}

export class GovernedRequestDto {
  @IsIn(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], { message: 'method must be GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS' })
  method: string;

  @IsString()
  @Length(1, 2048)
  path: string;

  @OptionalField()
  @IsObject()
  query?: Record<string, string | string[]>;

  @OptionalField()
  @IsObject()
  headers?: Record<string, string>;

  /** A string is sent as is; anything else, null included, is sent as JSON. */
  @OptionalField({ nullable: true })
  body?: unknown;

  /** Run through the bus (202 with the run id) and retried by the IntegrationRetryWorker, instead of answering the vendor's response now. */
  @OptionalField()
  @IsBoolean()
  async?: boolean;

  @OptionalField()
  @IsString()
  @Length(1, 256)
  idempotencyKey?: string;
}

export class ListConnectionsQuery {
  @OptionalField()
  @IsIn(['Pending', 'Active', 'Degraded', 'Retired'])
  status?: 'Pending' | 'Active' | 'Degraded' | 'Retired';

  @OptionalField()
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/)
  providerId?: string;
}
