import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { Matches } from 'class-validator';
import { ApiExtraModels, ApiOkResponse, ApiProperty, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { RequireScopes } from '../../../platform/auth/decorators';
import { OptionalField } from '../../../platform/http/optional-field';
import { ModelUsageDay, ModelUsageService } from './model-usage.service';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

export class ModelUsageQuery {
  @OptionalField()
  @Matches(DAY, { message: 'from must be a day, YYYY-MM-DD' })
  from?: string;

  @OptionalField()
  @Matches(DAY, { message: 'to must be a day, YYYY-MM-DD' })
  to?: string;

  @OptionalField()
  @Matches(/^conn-[0-9a-f]{32}$/, { message: 'connectionId must be a connection id' })
  connectionId?: string;
}

@ApiSchema({ name: 'ModelUsageDay' })
class ModelUsageDaySchema implements ModelUsageDay {
  @ApiProperty({ example: '2026-12-01', description: 'A UTC day' })
  day: string;

  @ApiProperty({ example: 'conn-0123456789abcdef0123456789abcdef' })
  connectionId: string;

  @ApiProperty()
  promptTokens: number;

  @ApiProperty()
  completionTokens: number;

  @ApiProperty()
  totalTokens: number;

  @ApiProperty({ description: 'Model calls that reported token counts' })
  requests: number;
}

@ApiExtraModels(ModelUsageDaySchema)
@Controller('integrations/model-usage')
export class ModelUsageController {
  constructor(private readonly usage: ModelUsageService) {}

  /** Tokens per UTC day per connection, `from`..`to` inclusive (default: the last 30 days). */
  @Get()
  @RequireScopes('integration.runs.read')
  @ApiOkResponse({
    description: 'Tokens per UTC day per connection, by day then connection',
    schema: {
      type: 'object',
      required: ['from', 'to', 'items'],
      properties: {
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date' },
        items: { type: 'array', items: { $ref: getSchemaPath(ModelUsageDaySchema) } },
      },
    },
  })
  async get(@Query() query: ModelUsageQuery): Promise<{ from: string; to: string; items: ModelUsageDay[] }> {
    const to = query.to ?? new Date().toISOString().slice(0, 10);
    const from = query.from ?? new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
    if (Number.isNaN(days)) throw new BadRequestException('from and to must be real days');
    if (days < 1) throw new BadRequestException('from must not be after to');
    if (days > MAX_DAYS) throw new BadRequestException(`from..to spans at most ${MAX_DAYS} days`);
    return { from, to, items: await this.usage.usage({ from, to, connectionId: query.connectionId }) };
  }
}
