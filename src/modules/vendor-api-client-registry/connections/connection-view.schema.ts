import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { ConnectionView } from './connections.service';

/** The response shape of a connection (checked against ConnectionView by the compiler). */
@ApiSchema({ name: 'Connection' })
export class ConnectionViewSchema implements ConnectionView {
  @ApiProperty({ example: 'conn-0123456789abcdef0123456789abcdef' })
  id: string;

  @ApiProperty()
  tenantId: string;

  @ApiProperty({ nullable: true, type: String })
  projectId: string | null;

  @ApiProperty({ example: 'github' })
  providerId: string;

  @ApiProperty()
  displayName: string;

  @ApiProperty({ example: 'bearer' })
  authMode: string;

  @ApiProperty({ nullable: true, type: String })
  credentialId: string | null;

  @ApiProperty({ nullable: true, type: 'object', description: 'Inbound webhook settings: `secretCredentialId`, `verifierOptions`', additionalProperties: true })
  webhook: ConnectionView['webhook'];

  @ApiProperty({ enum: ['Pending', 'Active', 'Degraded', 'Retired'] })
  status: ConnectionView['status'];

  @ApiProperty({ enum: ['Healthy', 'Degraded', 'Unhealthy', 'Unknown'] })
  health: ConnectionView['health'];

  @ApiProperty({ type: 'object', additionalProperties: true })
  configuration: Record<string, unknown>;

  @ApiProperty({ nullable: true, type: 'object', description: '`{requestsPerSecond, burst}`', additionalProperties: true })
  rateLimitBudget: ConnectionView['rateLimitBudget'];

  @ApiProperty({ nullable: true, type: 'object', description: '`{maxAttempts, baseDelayMs, maxDelayMs, retryOn}`', additionalProperties: true })
  retryPolicy: ConnectionView['retryPolicy'];

  @ApiProperty({ nullable: true, type: 'object', description: 'The last connection test: whether it passed, when, and why not', additionalProperties: true })
  lastTest: ConnectionView['lastTest'];

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastCheckedAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  establishedAt: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  retiredAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
