import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import type { DeliveryView } from './deliveries.service';

/** The response shape of a delivery, in or out (checked against DeliveryView by the compiler). */
@ApiSchema({ name: 'Delivery' })
export class DeliveryViewSchema implements DeliveryView {
  @ApiProperty({ example: 'dlv-0123456789abcdef0123456789abcdef' })
  id: string;

  @ApiProperty({ enum: ['in', 'out'] })
  direction: DeliveryView['direction'];

  @ApiProperty({ nullable: true, type: String })
  connectionId: string | null;

  @ApiProperty({ nullable: true, type: String })
  subscriptionId: string | null;

  @ApiProperty({ nullable: true, type: String })
  vendorDeliveryId: string | null;

  @ApiProperty()
  eventId: string;

  @ApiProperty({ example: 'com.github.pull_request.opened' })
  eventType: string;

  @ApiProperty({ enum: ['Pending', 'Delivered', 'DeadLettered', 'Failed'] })
  status: DeliveryView['status'];

  @ApiProperty()
  attemptCount: number;

  @ApiProperty({ description: 'The attempt series (a replay starts a new one)' })
  series: number;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  nextAttemptAt: string | null;

  @ApiProperty({ nullable: true, type: String })
  lastError: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  completedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'One delivery: its attempts (time, status code, latency, error)' })
  attempts?: DeliveryView['attempts'];
}
