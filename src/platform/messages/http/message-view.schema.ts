import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { MESSAGE_CHANNELS, MESSAGE_STATUSES } from '../message-contracts';
import type { MessageRouteView, MessageView } from './message-views';

/** The response shape of a sent message (checked against MessageView by the compiler). */
@ApiSchema({ name: 'Message' })
export class MessageViewSchema implements MessageView {
  @ApiProperty({ example: 'msg-0123456789abcdef0123456789abcdef' })
  id: string;

  @ApiProperty({ enum: MESSAGE_CHANNELS })
  channel: MessageView['channel'];

  @ApiProperty({ enum: MESSAGE_STATUSES })
  status: MessageView['status'];

  @ApiProperty({ nullable: true, type: String })
  routeName: string | null;

  @ApiProperty({ nullable: true, type: String })
  connectionId: string | null;

  @ApiProperty({ nullable: true, type: String })
  providerId: string | null;

  @ApiProperty({ nullable: true, type: String })
  providerMessageId: string | null;

  @ApiProperty({ nullable: true, type: String })
  idempotencyKey: string | null;

  @ApiProperty({ type: [String] })
  recipients: string[];

  @ApiProperty({ nullable: true, type: String })
  subject: string | null;

  @ApiProperty({ description: 'Bytes (email) or segments (SMS)' })
  size: number;

  @ApiProperty()
  attempts: number;

  @ApiProperty({ nullable: true, type: 'object', description: '`{category, code, message}`', additionalProperties: true })
  failure: MessageView['failure'];

  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Status changes, oldest first' })
  history: MessageView['history'];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** A named route of connections tried in order (checked against MessageRouteView by the compiler). */
@ApiSchema({ name: 'MessageRoute' })
export class MessageRouteViewSchema implements MessageRouteView {
  @ApiProperty()
  name: string;

  @ApiProperty({ enum: MESSAGE_CHANNELS })
  channel: MessageRouteView['channel'];

  @ApiProperty({ nullable: true, type: String })
  description: string | null;

  @ApiProperty({ type: [String] })
  connectionIds: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}
