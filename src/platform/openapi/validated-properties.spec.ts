import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { OptionalField } from '../http/optional-field';
import { AnyJsonValue, describeValidatedClasses } from './validated-properties';

class Budget {
  @IsInt()
  @Min(1)
  @Max(10)
  perSecond: number;
}

class Example {
  @Matches(/^conn-[0-9a-f]{32}$/)
  connectionId: string;

  @OptionalField()
  @IsString()
  @Length(1, 200)
  name?: string;

  @OptionalField({ nullable: true })
  @IsString()
  description?: string | null;

  @IsArray()
  @ArrayMaxSize(5)
  @IsIn(['a', 'b'], { each: true })
  kinds: Array<'a' | 'b'>;

  @ValidateNested()
  @Type(() => Budget)
  budget: Budget;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => Budget)
  budgets: Budget[];

  @IsObject()
  headers: Record<string, string>;

  @OptionalField({ nullable: true })
  body?: unknown;

  @ApiProperty({ description: 'Explicit wins', example: 3 })
  @IsInt()
  @Min(0)
  count: number;
}

type Factory = { _OPENAPI_METADATA_FACTORY(): Record<string, Record<string, unknown>> };

describe('describeValidatedClasses', () => {
  beforeAll(() => describeValidatedClasses());
  const properties = (): Record<string, Record<string, unknown>> => (Example as unknown as Factory)._OPENAPI_METADATA_FACTORY();

  it('derives types, requiredness, patterns and bounds from the validation rules', () => {
    expect(properties().connectionId).toEqual({ required: true, type: 'string', pattern: '^conn-[0-9a-f]{32}$' });
    expect(properties().name).toEqual({ required: false, type: 'string', minLength: 1, maxLength: 200 });
    expect(properties().description).toEqual({ required: false, nullable: true, type: 'string' });
    expect(properties().headers).toEqual({ required: true, type: 'object' });
    expect((Budget as unknown as Factory)._OPENAPI_METADATA_FACTORY().perSecond).toEqual({ required: true, type: 'integer', minimum: 1, maximum: 10 });
  });

  it('describes arrays by their items, and nested classes by reference', () => {
    expect(properties().kinds).toEqual({ required: true, type: 'object', isArray: true, maxItems: 5, enum: ['a', 'b'] });
    expect(properties().budget).toEqual({ required: true, type: Budget });
    expect(properties().budgets).toEqual({ required: true, type: Budget, isArray: true });
  });

  it('takes a property without a type rule as any JSON value', () => {
    const body = properties().body as { type: () => unknown; required: boolean };
    expect(body.required).toBe(false);
    expect(body.type()).toBe(AnyJsonValue);
  });

  it('is idempotent', () => {
    const before = properties();
    describeValidatedClasses();
    expect(properties()).toEqual(before);
  });
});
