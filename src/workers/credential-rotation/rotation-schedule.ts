import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThanOrEqual, Repository } from 'typeorm';
import { RequestContext } from '../../platform/context/request-context';
import { CredentialRotations } from '../../platform/integrations/credentials/credential-rotations';
import { IntegrationCredential } from '../../platform/integrations/entities/integration-credential.entity';
import { ProcessLifecycle } from '../../platform/lifecycle/process-lifecycle';
import { CredentialRotationOptions } from './credential-rotation.options';

const BATCH = 200;

/**
 * Starts scheduled rotations: every ROTATION_SCAN_INTERVAL, credentials whose nextRotationAt has passed
 * get a RotateCredential whose rotation token is derived from that due time, so replicas scanning at
 * once, or a scan repeated before the rotation finishes, start it only once.
 */
@Injectable()
export class RotationSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RotationSchedule.name);
  private timer?: NodeJS.Timeout;
  private scanning?: Promise<void>;

  constructor(
    @InjectRepository(IntegrationCredential) private readonly credentials: Repository<IntegrationCredential>,
    private readonly rotations: CredentialRotations,
    private readonly lifecycle: ProcessLifecycle,
    private readonly options: CredentialRotationOptions,
  ) {
    // A tick in progress is in-flight work (lifecycle.run): shutdown waits for it up to its grace period.
    lifecycle.onDrain(() => clearInterval(this.timer));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.options.scanIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** One scan; returns how many rotations it started. */
  async scan(now = new Date()): Promise<number> {
    const due = await this.credentials.find({ where: { status: 'Active', nextRotationAt: LessThanOrEqual(now) }, order: { nextRotationAt: 'ASC' }, take: BATCH });
    let started = 0;
    for (const credential of due) {
      const rotationToken = `scheduled:${credential.nextRotationAt!.toISOString()}`;
      await RequestContext.run({ tenantId: credential.tenantId, ids: { credentialId: credential.id } }, async () => {
        try {
          const { duplicate } = await this.rotations.request(credential, { rotationToken, trigger: 'scheduled' });
          if (!duplicate) started += 1;
        } catch (error) {
          this.logger.error({ msg: 'Could not start a scheduled rotation', credentialId: credential.id, err: error });
        }
      });
    }
    return started;
  }

  private async tick(): Promise<void> {
    if (this.scanning || this.lifecycle.isDraining) return;
    this.scanning = this.lifecycle
      .run('schedule', async () => {
        const started = await this.scan();
        if (started > 0) this.logger.log({ msg: 'Scheduled rotations started', count: started });
      })
      .catch((error) => this.logger.error({ msg: 'Rotation scan failed', err: error }))
      .finally(() => (this.scanning = undefined));
  }

  private async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.scanning;
  }
}
