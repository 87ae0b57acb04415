import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { DistributedLock } from '../../platform/cache/cache.ports';
import { ConnectionResolver } from '../../platform/integrations/connections/connection-resolver';
import { CredentialVault } from '../../platform/integrations/credentials/credential-vault';
import { CredentialRotation } from '../../platform/integrations/entities/credential-rotation.entity';
import { IntegrationConnection } from '../../platform/integrations/entities/integration-connection.entity';
import { IntegrationCredential } from '../../platform/integrations/entities/integration-credential.entity';
import { GovernedHttpClient, runOf } from '../../platform/integrations/governed/governed-http-client';
import { IntegrationEvents } from '../../platform/integrations/integration-events';
import { sleep } from '../../platform/messaging/pull-consumer';
import { PlatformMetrics } from '../../platform/observability/platform-metrics';
import { classifyError, IntegrationError } from '../../platform/resilience/failure-classifier';
import { RowWriter } from '../../platform/persistence/row-writer';
import { generateWebhookSecret } from '../../platform/webhooks/standard-webhooks';
import { RunRecorder } from '../../platform/runs/run-recorder';
import { CredentialRotationOptions } from './credential-rotation.options';
import { CredentialRotatedData, EVENTS } from '../../platform/messaging/contracts';

const LOCK_TTL_MS = 600_000;
const DEFAULT_OVERLAP_MS = 24 * 3_600_000;
const FAILED_SCHEDULE_RETRY_MS = 3_600_000;

type Verification = { passed: true; connections: string[] } | { passed: false; code: string; message: string; runId: string | null; connectionId: string };

/**
 * RotateCredential: a new secret version is sourced (given with the request, the vault's newer version
 * of a bound secret, or generated for a webhook secret), verified with a test run on every connection
 * using the credential (up to ROTATION_VERIFICATION_ATTEMPTS tries each), and made current only if all
 * pass. The previous version stays valid for the overlap window. A failed rotation keeps the previous
 * version current and disables the candidate. One replica rotates a credential at a time (a lock).
 */
@Injectable()
export class CredentialRotationService {
  private readonly logger = new Logger(CredentialRotationService.name);

  constructor(
    @InjectRepository(CredentialRotation) private readonly rotations: Repository<CredentialRotation>,
    @InjectRepository(IntegrationCredential) private readonly credentials: Repository<IntegrationCredential>,
    @InjectRepository(IntegrationConnection) private readonly connections: Repository<IntegrationConnection>,
    private readonly vault: CredentialVault,
    private readonly resolver: ConnectionResolver,
    private readonly governed: GovernedHttpClient,
    private readonly runs: RunRecorder,
    private readonly events: IntegrationEvents,
    private readonly lock: DistributedLock,
    private readonly metrics: PlatformMetrics,
    private readonly options: CredentialRotationOptions,
    private readonly writer: RowWriter,
  ) {}

  async rotate(tenantId: string, rotationId: string): Promise<void> {
    const rotation = await this.rotations.findOneBy({ tenantId, id: rotationId });
    if (!rotation || rotation.status === 'Succeeded' || rotation.status === 'Failed') return;
    const lock = await this.lock.acquire(`credential-rotation:${rotation.credentialId}`, LOCK_TTL_MS);
    // Another replica is rotating this credential: the bus redelivers the command later.
    if (!lock) throw IntegrationError.transient('rotation_in_progress', `Credential ${rotation.credentialId} is being rotated by another replica`);
    try {
      const current = await this.rotations.findOneBy({ tenantId, id: rotationId });
      if (!current || current.status === 'Succeeded' || current.status === 'Failed') return;
      await this.run(current);
    } finally {
      await lock.release();
    }
  }

  private async run(rotation: CredentialRotation): Promise<void> {
    const credential = await this.credentials.findOneBy({ tenantId: rotation.tenantId, id: rotation.credentialId });
    if (!credential) return this.fail(rotation, null, 'credential_not_found', 'The credential no longer exists');
    if (credential.secretVersion !== rotation.previousVersion) {
      return this.fail(rotation, credential, 'superseded', 'The credential changed since this rotation was requested');
    }
    const candidate = rotation.candidateVersion ?? (await this.sourceCandidate(credential));
    if (!candidate) return this.fail(rotation, credential, 'no_new_version', 'There is no new version to rotate to (the vault holds nothing newer)');
    await this.rotations.update({ tenantId: rotation.tenantId, id: rotation.id }, { status: 'Verifying', candidateVersion: candidate });
    rotation.candidateVersion = candidate;

    const verification = await this.verify(rotation, credential, candidate);
    if (!verification.passed) {
      if (credential.origin !== 'bound') await this.vault.disable(credential.secretRef, candidate);
      await this.runs.recordFailure(
        verification.runId ? { tenantId: rotation.tenantId, id: verification.runId, connectionId: verification.connectionId } : null,
        { category: 'Auth', retryable: false, code: 'rotation_verification_failed', message: verification.message },
        verification.connectionId,
      );
      return this.fail(rotation, credential, verification.code, verification.message);
    }
    await this.promote(rotation, credential, candidate, verification.connections);
  }

  /** Where a candidate comes from when the request brought none. */
  private async sourceCandidate(credential: IntegrationCredential): Promise<string | undefined> {
    if (credential.origin === 'bound') return this.vault.newerVersion(credential);
    if (credential.origin === 'generated' && credential.kind === 'webhook-secret') {
      return (await this.vault.store(credential.secretRef, generateWebhookSecret())).version;
    }
    return undefined;
  }

  private async verify(rotation: CredentialRotation, credential: IntegrationCredential, candidate: string): Promise<Verification> {
    const users = await this.connections.find({ where: { tenantId: credential.tenantId, credentialId: credential.id, status: In(['Active', 'Degraded']) } });
    let attempts = 0;
    for (const connection of users) {
      let last: Verification | undefined;
      for (let attempt = 1; attempt <= this.options.verificationAttempts; attempt += 1) {
        attempts += 1;
        await this.rotations.update({ tenantId: rotation.tenantId, id: rotation.id }, { attempts });
        last = await this.verifyOnce(connection, candidate);
        if (last.passed) break;
        if (attempt < this.options.verificationAttempts) await sleep(this.options.verificationBackoffMs * attempt);
      }
      if (last && !last.passed) return last;
    }
    return { passed: true, connections: users.map((connection) => connection.id) };
  }

  private async verifyOnce(connection: IntegrationConnection, candidate: string): Promise<Verification> {
    try {
      const profile = await this.resolver.resolve(connection.tenantId, connection.id, { fresh: true });
      const response = await this.governed.test(profile, { timeoutMs: this.options.verificationTimeoutMs, credentialVersion: candidate, purpose: 'verification' });
      if (response.status >= 200 && response.status < 300) return { passed: true, connections: [connection.id] };
      return {
        passed: false,
        code: 'rotation_verification_failed',
        message: `Verification against connection ${connection.id} answered HTTP ${response.status}`,
        runId: response.run.id,
        connectionId: connection.id,
      };
    } catch (error) {
      const failure = classifyError(error);
      return {
        passed: false,
        code: 'rotation_verification_failed',
        message: `Verification against connection ${connection.id} failed: ${failure.code}`,
        runId: runOf(error)?.id ?? null,
        connectionId: connection.id,
      };
    }
  }

  private async promote(rotation: CredentialRotation, credential: IntegrationCredential, candidate: string, verifiedConnections: string[]): Promise<void> {
    const now = Date.now();
    const fingerprint = await this.vault.fingerprint(await this.vault.read(credential, candidate));
    const validUntil = new Date(now + (credential.rotationPolicy?.overlapMs ?? DEFAULT_OVERLAP_MS));
    // Current only if nobody changed the credential meanwhile (the previous version is still current).
    await this.writer.write({
      updates: [
        {
          target: IntegrationCredential,
          where: { tenantId: credential.tenantId, id: credential.id, secretVersion: rotation.previousVersion },
          set: {
            secretVersion: candidate,
            previousSecretVersion: rotation.previousVersion,
            previousVersionValidUntil: validUntil,
            fingerprint,
            lastRotatedAt: new Date(now),
            nextRotationAt: credential.rotationPolicy?.intervalMs ? new Date(now + credential.rotationPolicy.intervalMs) : null,
          },
          expectAffected: 1,
        },
        { target: CredentialRotation, where: { tenantId: rotation.tenantId, id: rotation.id }, set: { status: 'Succeeded', completedAt: new Date(now) } },
      ],
    });
    this.resolver.invalidateCredential(credential.tenantId, credential.id);
    this.metrics.credentialRotations.inc({ outcome: 'rotated' });
    this.logger.log({ msg: 'Credential rotated', credentialId: credential.id, rotationId: rotation.id, version: candidate });
    const data: CredentialRotatedData = {
      credentialId: credential.id,
      rotationId: rotation.id,
      version: candidate,
      previousVersion: rotation.previousVersion,
      fingerprint,
      previousVersionValidUntil: validUntil.toISOString(),
      verifiedConnections,
    };
    await this.events.publishAfterCommit(EVENTS.CredentialRotated, data, { tenantId: credential.tenantId, subject: credential.id, id: `rotated:${rotation.id}` });
  }

  private async fail(rotation: CredentialRotation, credential: IntegrationCredential | null, code: string, message: string): Promise<void> {
    await this.rotations.update(
      { tenantId: rotation.tenantId, id: rotation.id },
      { status: 'Failed', failureCode: code, failureMessage: message.slice(0, 1000), completedAt: new Date() },
    );
    if (credential && rotation.trigger === 'scheduled' && credential.rotationPolicy?.intervalMs) {
      // Try the schedule again later rather than at the next scan.
      await this.credentials.update(
        { tenantId: credential.tenantId, id: credential.id },
        { nextRotationAt: new Date(Date.now() + Math.min(credential.rotationPolicy.intervalMs, FAILED_SCHEDULE_RETRY_MS)) },
      );
    }
    this.metrics.credentialRotations.inc({ outcome: code === 'no_new_version' ? 'skipped' : 'failed' });
    this.logger.warn({ msg: 'Credential rotation failed; the previous version stays current', credentialId: rotation.credentialId, rotationId: rotation.id, code });
  }
}
