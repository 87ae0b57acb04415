import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { provideOptions } from '../config/options.provider';
import { DeliveryReports } from './delivery-reports';
import { MessagesApi } from './http/messages-api';
import { MessageRecords } from './message-records';
import { MessageRoute } from './message-route.entity';
import { MessageRoutes } from './message-routes';
import { MessageSending } from './message-sending';
import { Message } from './message.entity';
import { MessagesOptions } from './messages.options';

/** Message records, routes and the sending loop, imported by the email and SMS roles (one instance for both in `all`). */
@Module({
  imports: [TypeOrmModule.forFeature([Message, MessageRoute])],
  providers: [provideOptions(MessagesOptions), MessageRecords, MessageRoutes, MessageSending, MessagesApi, DeliveryReports],
  exports: [MessagesOptions, MessageRecords, MessageRoutes, MessageSending, MessagesApi, DeliveryReports],
})
export class MessagesModule {
  static readonly options = [MessagesOptions];
}
