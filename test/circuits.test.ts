import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Controller, Get, Global, INestApplication, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthModule } from '../src/platform/auth/auth.module';
import { provideOptions } from '../src/platform/config/options.provider';
import { RuntimeOptions } from '../src/platform/config/runtime.options';
import { PlatformMetrics } from '../src/platform/observability/platform-metrics';
import { CircuitBreakerRegistry } from '../src/platform/resilience/breaker-registry';
import { ResilienceModule } from '../src/platform/resilience/resilience.module';
import { newJwtSecret } from './support/tokens';

/** What PlatformModule provides to every module, reduced to what ResilienceModule and AuthModule need. */
@Global()
@Module({
  providers: [{ provide: PlatformMetrics, useValue: new PlatformMetrics('test', false) }, provideOptions(RuntimeOptions)],
  exports: [PlatformMetrics, RuntimeOptions],
})
class PlatformStubModule {}

/** An ordinary route: proves the bearer guard is active in this application. */
@Controller('guarded')
class GuardedController {
  @Get()
  guarded(): string {
    return 'secret';
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
const json = (response: Response): Promise<any> => response.json();

describe('GET /health/circuits', () => {
  const savedEnv = { ...process.env };
  let app: INestApplication;
  let url: string;
  let registry: CircuitBreakerRegistry;

  beforeAll(async () => {
    Object.assign(process.env, { AUTH_JWT_SECRET: newJwtSecret(), BREAKER_VOLUME_THRESHOLD: '2', BREAKER_RESET_TIMEOUT: '30s' });
    const moduleRef = await Test.createTestingModule({ imports: [PlatformStubModule, AuthModule, ResilienceModule], controllers: [GuardedController] }).compile();
    app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    registry = app.get(CircuitBreakerRegistry);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterAll(async () => {
    await app?.close();
    process.env = savedEnv;
    jest.restoreAllMocks();
  });

  it('answers without a bearer token (public) and is not cached', async () => {
    expect((await fetch(`${url}/guarded`)).status).toBe(401);
    const response = await fetch(`${url}/health/circuits`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await json(response)).toEqual({
      settings: { errorThresholdPercentage: 50, volumeThreshold: 2, resetTimeoutMs: 30_000, rollingWindowMs: 60_000, idleEvictionMs: 3_600_000 },
      breakers: [],
    });
  });

  it('lists every breaker with its state, counts and next half-open time', async () => {
    await registry.execute('hubspot:api.hubapi.com', async () => 'ok');
    for (let i = 0; i < 2; i += 1) {
      await registry.execute('openai:api.openai.com', () => Promise.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).catch(() => undefined);
    }
    const healthWorkerHold = Date.now() + 120_000;
    registry.forceOpen('twilio:api.twilio.com', healthWorkerHold);

    const body = await json(await fetch(`${url}/health/circuits`));
    expect(body.breakers.map((breaker: { key: string }) => breaker.key)).toEqual(['hubspot:api.hubapi.com', 'openai:api.openai.com', 'twilio:api.twilio.com']);
    const [hubspot, openai, twilio] = body.breakers;
    expect(hubspot).toMatchObject({ state: 'closed', forcedOpen: false, halfOpenAt: null, window: { calls: 1, successes: 1, failures: 0, rejected: 0 } });
    expect(openai).toMatchObject({ state: 'open', forcedOpen: false, window: { calls: 2, failures: 2 } });
    expect(Date.parse(openai.halfOpenAt) - Date.parse(openai.openedAt)).toBe(30_000);
    expect(twilio).toMatchObject({
      state: 'open',
      forcedOpen: true,
      forcedOpenUntil: new Date(healthWorkerHold).toISOString(),
      halfOpenAt: new Date(healthWorkerHold).toISOString(),
    });
  });

  it('is read-only', async () => {
    expect((await fetch(`${url}/health/circuits`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${url}/health/circuits`, { method: 'DELETE' })).status).toBe(404);
  });
});
