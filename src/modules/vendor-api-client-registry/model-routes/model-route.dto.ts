import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { OptionalField } from '../../../platform/http/optional-field';
import type { FailureCategory } from '../../../platform/runs/entities/integration-failure.entity';

/** Names callers put in `model`: they must not look like anything else a URL or header would mangle. */
export const MODEL_ROUTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
export const FALLBACK_CATEGORIES: readonly FailureCategory[] = ['Transient', 'RateLimited', 'Auth'];
export const MAX_ROUTE_TARGETS = 10;

export class ModelTargetDto {
  @IsString()
  @Length(1, 64)
  connectionId: string;

  /** The model (or deployment) name on that connection. */
  @IsString()
  @Length(1, 128)
  model: string;
}

/** PUT /integrations/model-routes/{name}: the route's targets in order. */
export class ModelRouteBodyDto {
  @OptionalField()
  @IsString()
  @Length(0, 1000)
  description?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ROUTE_TARGETS)
  @ValidateNested({ each: true })
  @Type(() => ModelTargetDto)
  targets: ModelTargetDto[];

  /** The failure categories that move a call to the next target (default Transient and RateLimited). */
  @OptionalField()
  @IsArray()
  @ArrayUnique()
  @IsIn(FALLBACK_CATEGORIES, { each: true, message: `each value in fallbackOn must be one of: ${FALLBACK_CATEGORIES.join(', ')}` })
  fallbackOn?: FailureCategory[];
}

/** POST /integrations/model-routes. */
export class CreateModelRouteDto extends ModelRouteBodyDto {
  @IsString()
  @Matches(MODEL_ROUTE_NAME, { message: 'name must be 1–128 characters of letters, digits and . _ : / -, starting with a letter or digit' })
  name: string;
}
