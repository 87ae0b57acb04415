import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { PROVIDER_CATEGORIES } from '../../../platform/vendors/vendor-descriptor';
import type { ProviderView } from './providers.service';

/** The response shape of a provider (checked against ProviderView by the compiler). */
@ApiSchema({ name: 'Provider' })
export class ProviderViewSchema implements ProviderView {
  @ApiProperty({ example: 'github' })
  id: string;

  @ApiProperty()
  displayName: string;

  @ApiProperty({ enum: PROVIDER_CATEGORIES })
  category: ProviderView['category'];

  @ApiProperty({ type: [String] })
  capabilities: string[];

  @ApiProperty()
  authModel: string;

  @ApiProperty({ nullable: true, type: [String] })
  authModes: string[] | null;

  @ApiProperty({ nullable: true, type: String })
  webhookVerifier: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uri' })
  defaultBaseUrl: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uri' })
  docsUrl: string | null;

  @ApiProperty()
  status: string;

  @ApiProperty({ enum: ['built-in', 'tenant'] })
  scope: ProviderView['scope'];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}
