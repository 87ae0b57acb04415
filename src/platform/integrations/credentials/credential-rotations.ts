import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { BusPublisher } from '../../messaging/bus-publisher';
import { newId } from '../../persistence/ids';
import { CredentialRotation, RotationTrigger } from '../entities/credential-rotation.entity';
import type { IntegrationCredential } from '../entities/integration-credential.entity';
import { CredentialVault } from './credential-vault';
import { COMMANDS } from '../../messaging/contracts';

/** Body of the `RotateCredential` command: ids only, never a value (the candidate is already a secret version). */
export interface RotateCredentialCommand {
  rotationId: string;
  credentialId: string;
}

export interface RotationRequest {
  rotationToken?: string;
  trigger: RotationTrigger;
  /** A new value to verify and promote; without one the rotation sources it (bound: the vault's newer version; generated: a new secret). */
  value?: string;
}

/**
 * Starts rotations: one row per (credential, rotation token), so repeating a request is a no-op that
 * answers the first rotation; then the RotateCredential command for the CredentialRotationWorker.
 */
@Injectable()
export class CredentialRotations {
  constructor(
    @InjectRepository(CredentialRotation) private readonly rotations: Repository<CredentialRotation>,
    private readonly vault: CredentialVault,
    private readonly publisher: BusPublisher,
  ) {}

  async request(credential: IntegrationCredential, request: RotationRequest): Promise<{ rotation: CredentialRotation; duplicate: boolean }> {
    const rotationToken = request.rotationToken ?? newId('rot');
    const existing = await this.find(credential, rotationToken);
    if (existing) return { rotation: existing, duplicate: true };

    const candidate = request.value === undefined ? undefined : await this.vault.store(credential.secretRef, request.value);
    const rotation = this.rotations.create({
      id: newId('rot'),
      tenantId: credential.tenantId,
      credentialId: credential.id,
      rotationToken,
      trigger: request.trigger,
      status: 'Pending',
      candidateVersion: candidate?.version ?? null,
      previousVersion: credential.secretVersion,
      attempts: 0,
      failureCode: null,
      failureMessage: null,
      completedAt: null,
    });
    try {
      await this.rotations.insert(rotation);
    } catch (error) {
      // The same token raced us in: theirs stands, and our candidate version must not linger enabled.
      const winner = await this.find(credential, rotationToken);
      if (!winner) throw error;
      if (candidate) await this.vault.disable(credential.secretRef, candidate.version);
      return { rotation: winner, duplicate: true };
    }
    const command: RotateCredentialCommand = { rotationId: rotation.id, credentialId: credential.id };
    await this.publisher.send(COMMANDS.RotateCredential, command, { tenantId: credential.tenantId, messageId: `rotate:${rotation.id}` });
    return { rotation, duplicate: false };
  }

  find(credential: Pick<IntegrationCredential, 'tenantId' | 'id'>, rotationToken: string): Promise<CredentialRotation | null> {
    return this.rotations.findOneBy({ tenantId: credential.tenantId, credentialId: credential.id, rotationToken });
  }

  recent(credential: Pick<IntegrationCredential, 'tenantId' | 'id'>, limit = 10): Promise<CredentialRotation[]> {
    return this.rotations.find({ where: { tenantId: credential.tenantId, credentialId: credential.id }, order: { createdAt: 'DESC' }, take: limit });
  }
}
