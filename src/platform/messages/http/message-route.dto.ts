import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsString, Length, Matches } from 'class-validator';
import { OptionalField } from '../../http/optional-field';

export const MESSAGE_ROUTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const MAX_ROUTE_CONNECTIONS = 10;

/** PUT /{channel}/routes/{name}: the connections a message naming the route tries, in order. */
export class MessageRouteDto {
  @OptionalField()
  @IsString()
  @Length(0, 1000)
  description?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ROUTE_CONNECTIONS)
  @ArrayUnique({ message: 'connectionIds must not repeat a connection' })
  @IsString({ each: true })
  @Matches(/^conn-[0-9a-f]{32}$/, { each: true, message: 'each value in connectionIds must be a connection id (conn-…)' })
  connectionIds: string[];
}
