import { Module } from '@nestjs/common';
import { OpenApiDocumentFactory } from './openapi-document.factory';
import { OpenApiPublisher } from './openapi.publisher';

/** The API description of the running process; `OpenApiPublisher.install` serves it (see bootstrap). */
@Module({
  providers: [OpenApiDocumentFactory, OpenApiPublisher],
  exports: [OpenApiPublisher],
})
export class OpenApiModule {}
