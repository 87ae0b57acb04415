import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { OptionalField } from '../../../platform/http/optional-field';
import { CREDENTIAL_KINDS, CredentialKind } from '../../../platform/integrations/entities/integration-credential.entity';

const DAY_MS = 86_400_000;

export class RotationPolicyDto {
  @OptionalField()
  @IsInt()
  @Min(60_000)
  @Max(366 * DAY_MS)
  intervalMs?: number;

  @OptionalField()
  @IsInt()
  @Min(0)
  @Max(30 * DAY_MS)
  overlapMs?: number;
}

export class CreateCredentialDto {
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, { message: 'name must be 1-200 letters, digits, dots, dashes or underscores' })
  name: string;

  @OptionalField()
  @IsIn(CREDENTIAL_KINDS)
  kind?: CredentialKind;

  @OptionalField()
  @IsString()
  @Length(1, 25_000)
  value?: string;

  /** An existing secret in the tenant's namespace: `name` or `name/version`. */
  @OptionalField()
  @Matches(/^[0-9A-Za-z-]{1,127}(\/[0-9a-f]{32})?$/, { message: 'secretRef must be a secret name, optionally followed by /version' })
  secretRef?: string;

  @OptionalField()
  @ValidateNested()
  @Type(() => RotationPolicyDto)
  rotationPolicy?: RotationPolicyDto;
}

export class RotateCredentialDto {
  @Matches(/^cred-[0-9a-f]{32}$/, { message: 'credentialId must be a credential id' })
  credentialId: string;

  @OptionalField()
  @Matches(/^[A-Za-z0-9._:-]{1,200}$/, { message: 'rotationToken must be 1-200 letters, digits or . _ : -' })
  rotationToken?: string;

  /** The new value, for credentials whose values the platform cannot source itself. */
  @OptionalField()
  @IsString()
  @Length(1, 25_000)
  value?: string;
}
