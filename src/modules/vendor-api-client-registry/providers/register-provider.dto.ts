import { ArrayMaxSize, IsArray, IsIn, IsString, IsUrl, Length, Matches } from 'class-validator';
import { OptionalField } from '../../../platform/http/optional-field';
import { AUTH_MODELS, AuthModel, PROVIDER_CATEGORIES, ProviderCategory, WEBHOOK_VERIFIERS, WebhookVerifier } from '../../../platform/integrations/entities/integration-provider.entity';

export class RegisterProviderDto {
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'id must be 2-63 lower-case letters, digits or dashes, starting with a letter or digit' })
  id: string;

  @IsString()
  @Length(1, 200)
  displayName: string;

  @IsIn(PROVIDER_CATEGORIES)
  category: ProviderCategory;

  @IsIn(AUTH_MODELS)
  authModel: AuthModel;

  @OptionalField()
  @IsIn(WEBHOOK_VERIFIERS)
  webhookVerifier?: WebhookVerifier;

  @OptionalField()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false }, { message: 'defaultBaseUrl must be an http(s) URL' })
  defaultBaseUrl?: string;

  @OptionalField()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  capabilities?: string[];
}
