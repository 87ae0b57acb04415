import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { provideOptions } from '../config/options.provider';
import { TenantContext } from '../context/tenant-context';
import { AuthOptions } from './auth.options';
import { BearerAuthGuard } from './bearer-auth.guard';
import { JwtVerifier } from './jwt-verifier';
import { SessionController } from './session.controller';

@Global()
@Module({
  controllers: [SessionController],
  providers: [provideOptions(AuthOptions), JwtVerifier, TenantContext, { provide: APP_GUARD, useClass: BearerAuthGuard }],
  exports: [AuthOptions, JwtVerifier, TenantContext],
})
export class AuthModule {}
