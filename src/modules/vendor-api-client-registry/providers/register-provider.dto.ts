import { ArrayMaxSize, IsArray, IsIn, IsString, IsUrl, Length, Matches } from 'class-validator';
import { OptionalField } from '../../../platform/http/optional-field';
import { PROVIDER_CATEGORIES, ProviderCategory } from '../../../platform/vendors/vendor-descriptor';

/** Auth modes and verifiers are the catalogue's (built-in and vendors'): the service checks the name against it. */
const CATALOGUE_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

export class RegisterProviderDto {
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'id must be 2-63 lower-case letters, digits or dashes, starting with a letter or digit' })
  id: string;

  @IsString()
  @Length(1, 200)
  displayName: string;

  @IsIn(PROVIDER_CATEGORIES)
  category: ProviderCategory;

  @Matches(CATALOGUE_NAME, { message: 'authModel must be an auth mode name' })
  authModel: string;

  @OptionalField()
  @Matches(CATALOGUE_NAME, { message: 'webhookVerifier must be a verifier name' })
  webhookVerifier?: string;

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
