import { Controller, Get, Header } from '@nestjs/common';
import { TenantContext } from '../context/tenant-context';

export interface SessionView {
  tenantId: string;
  subject: string | null;
  scopes: string[];
  expiresAt: string | null;
}

/** What the bearer token grants, as the server reads it: clients show or hide controls by it (the guard enforces regardless). */
@Controller('auth')
export class SessionController {
  constructor(private readonly tenant: TenantContext) {}

  @Get('session')
  @Header('Cache-Control', 'no-store')
  session(): SessionView {
    return {
      tenantId: this.tenant.tenantId,
      subject: this.tenant.subject ?? null,
      scopes: [...this.tenant.scopes].sort(),
      expiresAt: this.tenant.tokenExpiresAt?.toISOString() ?? null,
    };
  }
}
