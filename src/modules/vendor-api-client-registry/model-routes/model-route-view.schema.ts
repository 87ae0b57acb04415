import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { ModelRouteView } from './model-routes.service';

/** A named model route: targets tried in order (checked against ModelRouteView by the compiler). */
@ApiSchema({ name: 'ModelRoute' })
export class ModelRouteViewSchema implements ModelRouteView {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: 'default-chat' })
  name: string;

  @ApiProperty({ nullable: true, type: String })
  description: string | null;

  @ApiProperty({
    type: 'array',
    items: { type: 'object', required: ['connectionId', 'model'], properties: { connectionId: { type: 'string' }, model: { type: 'string' } } },
  })
  targets: ModelRouteView['targets'];

  @ApiProperty({ type: [String], example: ['Transient', 'RateLimited'] })
  fallbackOn: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}
