import { BadRequestException } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { Equal, FindOptionsWhere, LessThan, ObjectLiteral } from 'typeorm';
import { OptionalField } from './optional-field';

/**
 * Newest-first pages over rows with `createdAt` and `id`: the cursor is the (createdAt, id) of the last
 * row of the previous page, so rows created in the same millisecond are neither skipped nor repeated.
 * It travels opaque (base64url JSON), and only cursors this API issued are accepted.
 */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

/** The paging part of a list endpoint's query: `limit` (1-500) and `cursor` (a previous page's `nextCursor`). */
export class PageQuery {
  @OptionalField()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @OptionalField()
  @Matches(/^[A-Za-z0-9_-]{1,400}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export function encodePageCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

/** 400 for anything that is not a cursor this API issued. */
export function decodePageCursor(text: string): PageCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(createdAt))) return { createdAt: new Date(createdAt), id };
  } catch {
    // not JSON: not ours
  }
  throw new BadRequestException('cursor must be the nextCursor of a previous page');
}

/**
 * The rows after `cursor` within `scope`, newest first (pair with `order: { [timeColumn]: 'DESC', id: 'DESC' }`).
 * The cursor's `createdAt` is the row's `timeColumn` where rows are ordered by another time (a probe's `checkedAt`).
 */
export function afterCursor<T extends ObjectLiteral>(
  scope: FindOptionsWhere<T>,
  cursor: PageCursor | undefined,
  timeColumn: keyof T & string = 'createdAt',
): FindOptionsWhere<T> | Array<FindOptionsWhere<T>> {
  if (!cursor) return scope;
  return [
    { ...scope, [timeColumn]: LessThan(cursor.createdAt) },
    { ...scope, [timeColumn]: Equal(cursor.createdAt), id: LessThan(cursor.id) },
  ] as Array<FindOptionsWhere<T>>;
}

/** One page from `limit + 1` rows read: the extra row only says that another page follows. */
export function toPage<R extends { id: string }, V>(
  rows: readonly R[],
  limit: number,
  view: (row: R) => V,
  timeOf: (row: R) => Date = (row) => (row as R & { createdAt: Date }).createdAt,
): { items: V[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(view), nextCursor: rows.length > limit ? encodePageCursor({ createdAt: timeOf(last), id: last.id }) : null };
}
