import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiSchema } from '@nestjs/swagger';
import { TenantContext } from '../context/tenant-context';

export interface SessionView {
  tenantId: string;
  subject: string | null;
  scopes: string[];
  expiresAt: string | null;
}

@ApiSchema({ name: 'Session' })
class SessionViewSchema implements SessionView {
  @ApiProperty({ example: 't1' })
  tenantId: string;

  @ApiProperty({ nullable: true, type: String, description: 'The `sub` claim' })
  subject: string | null;

  @ApiProperty({ type: [String], example: ['integration.connections.read', 'webhooks.deliveries.read'] })
  scopes: string[];

  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'The `exp` claim' })
  expiresAt: string | null;
}

/** What the bearer token grants, as the server reads it: clients show or hide controls by it (the guard enforces regardless). */
@Controller('auth')
export class SessionController {
  constructor(private readonly tenant: TenantContext) {}

  @Get('session')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: SessionViewSchema, description: 'What the token grants, as the server reads it' })
  session(): SessionView {
    return {
      tenantId: this.tenant.tenantId,
      subject: this.tenant.subject ?? null,
      scopes: [...this.tenant.scopes].sort(),
      expiresAt: this.tenant.tokenExpiresAt?.toISOString() ?? null,
    };
  }
}
