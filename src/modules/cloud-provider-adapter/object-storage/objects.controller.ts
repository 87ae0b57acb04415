import { BadRequestException, Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { IsIn, IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Type } from 'class-transformer';
import { RequireScopes } from '../../../platform/auth/decorators';
import { OptionalField } from '../../../platform/http/optional-field';
import type { ByteRange, ObjectPage, ObjectProperties, PresignedUrl, StoredObject } from './object-store';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiProduces } from '@nestjs/swagger';
import { ApiItemsResponse } from '../../../platform/openapi/api-responses';
import { ObjectPropertiesSchema, PresignedUrlSchema, StoredObjectSchema } from './object-view.schema';
import { ObjectStorage } from './object-storage';

/** The object key: the rest of the path, `/` included. */
const OBJECT_KEY = ApiParam({ name: 'path', type: String, description: 'The object key (the rest of the path, `/` included)', example: 'reports/2026/q4.pdf' });

export class ObjectListQuery {
  @OptionalField()
  @IsString()
  @MaxLength(1024)
  prefix?: string;

  @OptionalField()
  @IsString()
  @MaxLength(2048)
  cursor?: string;

  @OptionalField()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class PresignRequestDto {
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  key: string;

  @IsIn(['GET', 'PUT'])
  method: 'GET' | 'PUT';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  expiresInSeconds: number;
}

/**
 * A connection's objects, streamed both ways (a large object never sits in memory):
 *   PUT    /cloud/connections/{id}/objects/{key}   the body as the object (201 with its size, etag, sha256)
 *   GET    /cloud/connections/{id}/objects/{key}   the object; `Range: bytes=a-b` answers 206
 *   HEAD   /cloud/connections/{id}/objects/{key}   its properties as headers (Fastify routes HEAD to the GET handler)
 *   DELETE /cloud/connections/{id}/objects/{key}   204
 *   GET    /cloud/connections/{id}/objects?prefix=&cursor=&limit=
 *   POST   /cloud/connections/{id}/presigned-urls  {key, method, expiresInSeconds}
 */
@Controller('cloud/connections/:id')
export class ObjectsController {
  constructor(private readonly storage: ObjectStorage) {}

  @Get('objects')
  @RequireScopes('integration.runs.read')
  @ApiItemsResponse(ObjectPropertiesSchema, { paged: true })
  list(@Param('id') connectionId: string, @Query() query: ObjectListQuery): Promise<ObjectPage> {
    return this.storage.list(connectionId, query);
  }

  @Put('objects/*')
  @RequireScopes('integration.runs.execute')
  @OBJECT_KEY
  @ApiConsumes('application/octet-stream')
  @ApiBody({ description: 'The object, streamed (any Content-Type; it is stored with the object)', required: true, schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({ type: StoredObjectSchema })
  async put(@Param('id') connectionId: string, @Param('*') key: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<StoredObject> {
    const body = request.body instanceof Readable ? request.body : Readable.from(Buffer.alloc(0));
    const declared = request.headers['content-length'];
    const stored = await this.storage.put(connectionId, key, {
      body,
      contentType: request.headers['content-type'] ?? 'application/octet-stream',
      contentLength: declared !== undefined && request.headers['content-encoding'] === undefined ? Number(declared) : undefined,
    });
    reply.code(HttpStatus.CREATED);
    return stored;
  }

  @Get('objects/*')
  @RequireScopes('integration.runs.read')
  @OBJECT_KEY
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The object, streamed; `Range: bytes=a-b` answers 206 with that part', schema: { type: 'string', format: 'binary' } })
  async get(@Param('id') connectionId: string, @Param('*') key: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // Fastify answers HEAD with the GET route: the properties alone, no download.
    if (request.method === 'HEAD') {
      const properties = await this.storage.head(connectionId, key);
      // Written raw: Fastify would set the length of the (empty) payload instead of the object's.
      reply.hijack();
      reply.raw.writeHead(HttpStatus.OK, { ...propertyHeaders(properties), 'content-length': String(properties.size), 'accept-ranges': 'bytes' }).end();
      return;
    }
    const download = await this.storage.get(connectionId, key, rangeOf(request.headers.range));
    reply.code(download.status).headers({ ...propertyHeaders(download.properties), 'content-length': String(download.contentLength), 'accept-ranges': 'bytes' });
    if (download.contentRange) reply.header('content-range', download.contentRange);
    await reply.send(download.body);
  }

  @Delete('objects/*')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireScopes('integration.runs.execute')
  @OBJECT_KEY
  @ApiNoContentResponse({ description: 'Deleted' })
  async delete(@Param('id') connectionId: string, @Param('*') key: string): Promise<void> {
    await this.storage.delete(connectionId, key);
  }

  @Post('presigned-urls')
  @RequireScopes('integration.runs.execute')
  @ApiCreatedResponse({ type: PresignedUrlSchema })
  presign(@Param('id') connectionId: string, @Body() body: PresignRequestDto): Promise<PresignedUrl> {
    return this.storage.presign(connectionId, body.key, body.method, body.expiresInSeconds);
  }
}

function propertyHeaders(properties: ObjectProperties): Record<string, string> {
  return {
    'content-type': properties.contentType ?? 'application/octet-stream',
    ...(properties.etag ? { etag: properties.etag } : {}),
    ...(properties.lastModified ? { 'last-modified': new Date(properties.lastModified).toUTCString() } : {}),
  };
}

/** `bytes=a-b` or `bytes=a-` (one range; suffix ranges and lists are refused). */
function rangeOf(header: string | undefined): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d{1,15})-(\d{0,15})$/.exec(header.trim());
  if (!match) throw new BadRequestException('Range must be one range of the form bytes=start-end or bytes=start-');
  const start = Number(match[1]);
  const end = match[2] === '' ? undefined : Number(match[2]);
  if (end !== undefined && end < start) throw new BadRequestException('Range end must not be before its start');
  return { start, ...(end !== undefined ? { end } : {}) };
}
