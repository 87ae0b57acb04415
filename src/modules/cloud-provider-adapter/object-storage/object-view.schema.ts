import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import type { ObjectProperties, PresignedUrl, StoredObject } from './object-store';

/** An object's properties (checked against ObjectProperties by the compiler). */
@ApiSchema({ name: 'StorageObject' })
export class ObjectPropertiesSchema implements ObjectProperties {
  @ApiProperty({ description: "The key, relative to the connection's prefix", example: 'reports/2026/q4.pdf' })
  key: string;

  @ApiProperty({ description: 'Bytes' })
  size: number;

  @ApiProperty({ nullable: true, type: String })
  contentType: string | null;

  @ApiProperty({ nullable: true, type: String })
  etag: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastModified: string | null;
}

/** 201 of an upload. */
@ApiSchema({ name: 'StoredObject' })
export class StoredObjectSchema extends ObjectPropertiesSchema implements StoredObject {
  @ApiProperty({ description: 'SHA-256 (hex) of the bytes stored, computed as they streamed through' })
  sha256: string;
}

@ApiSchema({ name: 'PresignedUrl' })
export class PresignedUrlSchema implements PresignedUrl {
  @ApiProperty({ format: 'uri' })
  url: string;

  @ApiProperty({ enum: ['GET', 'PUT'] })
  method: PresignedUrl['method'];

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'Headers the request on the URL must carry' })
  headers?: Record<string, string>;
}
