import { Injectable, InternalServerErrorException } from '@nestjs/common';
import { RequestContext } from './request-context';

/**
 * The authenticated tenant of the current request or message. Injected wherever data is read or
 * written, so no query can forget the tenant: every repository call goes through `tenantId`.
 */
@Injectable()
export class TenantContext {
  get tenantId(): string {
    const tenantId = RequestContext.current()?.tenantId;
    if (!tenantId) {
      // A guarded route always has a tenant; reaching this is a wiring bug, not a client error.
      throw new InternalServerErrorException('No tenant in scope');
    }
    return tenantId;
  }

  get scopes(): ReadonlySet<string> {
    return RequestContext.current()?.scopes ?? new Set();
  }

  get tokenExpiresAt(): Date | undefined {
    return RequestContext.current()?.tokenExpiresAt;
  }

  get subject(): string | undefined {
    return RequestContext.current()?.subject;
  }
}
