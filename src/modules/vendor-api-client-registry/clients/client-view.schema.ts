import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { ClientView } from './clients.service';

/** A versioned API client of a provider (checked against ClientView by the compiler). */
@ApiSchema({ name: 'ApiClient' })
export class ClientViewSchema implements ClientView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  providerId: string;

  @ApiProperty()
  version: number;

  @ApiProperty({ format: 'uri' })
  baseUrl: string;

  @ApiProperty({ nullable: true, type: String })
  apiVersion: string | null;

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true })
  rateLimitProfile: ClientView['rateLimitProfile'];

  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true })
  retryPolicy: ClientView['retryPolicy'];

  @ApiProperty()
  status: string;

  @ApiProperty({ enum: ['built-in', 'tenant'] })
  scope: ClientView['scope'];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
