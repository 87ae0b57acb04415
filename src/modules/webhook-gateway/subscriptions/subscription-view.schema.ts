import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { SubscriptionView } from './subscriptions.service';

/** The response shape of a subscription (checked against SubscriptionView by the compiler). */
@ApiSchema({ name: 'Subscription' })
export class SubscriptionViewSchema implements SubscriptionView {
  @ApiProperty({ example: 'sub-0123456789abcdef0123456789abcdef' })
  id: string;

  @ApiProperty({ format: 'uri' })
  url: string;

  @ApiProperty({ type: [String], example: ['com.github.*'] })
  eventTypes: string[];

  @ApiProperty({ nullable: true, type: String })
  description: string | null;

  @ApiProperty({ example: 'Active' })
  status: string;

  @ApiProperty({ nullable: true, type: String })
  disabledReason: string | null;

  @ApiProperty()
  consecutiveDeadLetters: number;

  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'Until then the previous secret signs too' })
  secretRotatedUntil: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** The create and rotate-secret answers, the only ones that carry the signing secret. */
@ApiSchema({ name: 'SubscriptionWithSecret' })
export class SubscriptionWithSecretSchema extends SubscriptionViewSchema {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })
  secret: string;
}
