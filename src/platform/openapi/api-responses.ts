import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';

/**
 * 200 with `{items}` of a response class (`{items, nextCursor}` when `paged`), the list shape of every
 * collection route.
 */
export function ApiItemsResponse(type: Type<unknown>, { paged = false }: { paged?: boolean } = {}): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(type),
    ApiOkResponse({
      description: paged ? 'A page, newest first' : 'The list',
      schema: {
        type: 'object',
        required: paged ? ['items', 'nextCursor'] : ['items'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(type) } },
          ...(paged ? { nextCursor: { type: 'string', nullable: true, description: 'The `cursor` of the next page; null on the last page' } } : {}),
        },
      },
    }),
  );
}
