import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { CredentialView, RotationView } from './credentials.service';

/** The response shape of a credential: references and a fingerprint, never the value (checked against CredentialView). */
@ApiSchema({ name: 'Credential' })
export class CredentialViewSchema implements CredentialView {
  @ApiProperty({ example: 'cred-0123456789abcdef0123456789abcdef' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  kind: CredentialView['kind'];

  @ApiProperty({ description: 'Stored by the platform or bound to an existing secret' })
  origin: string;

  @ApiProperty({ description: 'The secret store reference' })
  secretRef: string;

  @ApiProperty()
  version: string;

  @ApiProperty({ description: 'A hash of the value' })
  fingerprint: string;

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true })
  rotationPolicy: CredentialView['rotationPolicy'];

  @ApiProperty()
  status: string;

  @ApiProperty({ nullable: true, type: String })
  previousVersion: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  previousVersionValidUntil: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastRotatedAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  nextRotationAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

/** A rotation (RotateCredential), 202 while the worker runs it. */
@ApiSchema({ name: 'CredentialRotation' })
export class RotationViewSchema implements RotationView {
  @ApiProperty()
  rotationId: string;

  @ApiProperty()
  credentialId: string;

  @ApiProperty({ description: 'The idempotency key of the rotation' })
  rotationToken: string;

  @ApiProperty()
  trigger: string;

  @ApiProperty()
  status: string;

  @ApiProperty({ nullable: true, type: String })
  candidateVersion: string | null;

  @ApiProperty()
  previousVersion: string;

  @ApiProperty()
  attempts: number;

  @ApiProperty({ nullable: true, type: String })
  failureCode: string | null;

  @ApiProperty({ nullable: true, type: String })
  failureMessage: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  completedAt: string | null;

  @ApiProperty({ required: false, description: 'The rotation token was used before: its rotation is answered' })
  duplicate?: boolean;
}
