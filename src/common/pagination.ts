import { Type as Class } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page', pattern: '^[0-9A-Z]{26}$' })
  @IsOptional()
  @Matches(/^[0-9A-Z]{26}$/, { message: 'cursor must be a nextCursor from a previous page' })
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The OpenAPI schema of a page of `item`s (`HouseholdView` → `HouseholdPage`), for @ApiOkResponse. */
export function PageOf<T>(item: Class<T>): Class<Page<T>> {
  class ItemPage implements Page<T> {
    @ApiProperty({ type: [item] })
    items: T[];

    @ApiProperty({
      type: String,
      nullable: true,
      description: 'Pass as `cursor` for the next page; null on the last page',
    })
    nextCursor: string | null;
  }
  // Swagger names the schema after the class.
  Object.defineProperty(ItemPage, 'name', { value: `${item.name.replace(/View$/, '')}Page` });
  return ItemPage;
}

/** Keyset pagination on the time-ordered `id` column: stable under inserts, no OFFSET scans. */
export async function paginate<E extends ObjectLiteral & { id: string }, T>(
  qb: SelectQueryBuilder<E>,
  page: PageQuery,
  map: (e: E) => T,
): Promise<Page<T>> {
  const limit = page.limit ?? 50;
  const alias = qb.alias;
  if (page.cursor) {
    qb.andWhere(`${alias}.id > :cursor`, { cursor: page.cursor });
  }
  const rows = await qb
    .orderBy(`${alias}.id`, 'ASC')
    .take(limit + 1)
    .getMany();
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(map), nextCursor: more ? items[items.length - 1].id : null };
}
