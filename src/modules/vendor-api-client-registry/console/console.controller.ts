import { Controller, Get, Header, NotFoundException, Param, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthOptions } from '../../../platform/auth/auth.options';
import { Public } from '../../../platform/auth/decorators';
import { ConsoleAssets } from './console-assets';
import { ConsoleOptions } from './console.options';

export interface ConsoleConfiguration {
  oidc: { issuer: string; clientId: string; scope: string; audience?: string } | null;
}

/**
 * The operator console: a single-page app over the public API (it has no routes of its own beyond its
 * files and this configuration). Its page may talk to this origin and to the identity provider only.
 */
@Public()
@Controller('console')
export class ConsoleController {
  private readonly securityHeaders: Record<string, string>;

  constructor(
    private readonly assets: ConsoleAssets,
    private readonly options: ConsoleOptions,
    private readonly auth: AuthOptions,
  ) {
    const issuerOrigin = this.configuration().oidc ? ` ${new URL(this.auth.issuer!).origin}` : '';
    this.securityHeaders = {
      'content-security-policy': `default-src 'self'; connect-src 'self'${issuerOrigin}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'${issuerOrigin}`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    };
  }

  @Get('config.json')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({
    description: "How the console signs in: OpenID Connect against AUTH_ISSUER when CONSOLE_OIDC_CLIENT_ID is set, else null (a token in the link's fragment, or pasted)",
    schema: {
      type: 'object',
      required: ['oidc'],
      properties: {
        oidc: {
          type: 'object',
          nullable: true,
          properties: { issuer: { type: 'string', format: 'uri' }, clientId: { type: 'string' }, scope: { type: 'string' }, audience: { type: 'string' } },
        },
      },
    },
  })
  configuration(): ConsoleConfiguration {
    const { issuer, audience } = this.auth;
    if (!issuer || !this.options.oidcClientId || !/^https?:\/\//.test(issuer)) return { oidc: null };
    return { oidc: { issuer, clientId: this.options.oidcClientId, scope: this.options.oidcScope, ...(audience ? { audience } : {}) } };
  }

  @Get()
  page(@Res() reply: FastifyReply): void {
    this.send(reply, 'index.html');
  }

  @Get('*')
  file(@Param('*') path: string, @Res() reply: FastifyReply): void {
    this.send(reply, path);
  }

  private send(reply: FastifyReply, path: string): void {
    if (!this.assets.built) throw new ServiceUnavailableException('The console is not built: run npm run build');
    const asset = this.assets.resolve(path);
    if (!asset) throw new NotFoundException(`No console file ${path}`);
    reply
      .headers(this.securityHeaders)
      .header('content-type', asset.contentType)
      .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .send(asset.body);
  }
}
