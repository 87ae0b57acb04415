import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { TenantContext } from '../../../platform/context/tenant-context';
import { CredentialRotations } from '../../../platform/integrations/credentials/credential-rotations';
import { CredentialVault } from '../../../platform/integrations/credentials/credential-vault';
import { parseClientSecrets } from '../../../platform/integrations/auth/built-in-strategies';
import { CredentialRotation } from '../../../platform/integrations/entities/credential-rotation.entity';
import { CredentialKind, IntegrationCredential } from '../../../platform/integrations/entities/integration-credential.entity';
import { newId } from '../../../platform/persistence/ids';
import { SecretNotFoundError } from '../../../platform/secrets/secret-store';
import { CreateCredentialDto, RotateCredentialDto } from './credential.dto';
import { isoOrNull } from '../../../platform/http/iso-date';

export interface CredentialView {
  id: string;
  name: string;
  kind: CredentialKind;
  origin: string;
  secretRef: string;
  version: string;
  fingerprint: string;
  rotationPolicy: IntegrationCredential['rotationPolicy'];
  status: string;
  previousVersion: string | null;
  previousVersionValidUntil: string | null;
  lastRotatedAt: string | null;
  nextRotationAt: string | null;
  createdAt: string;
}

export interface RotationView {
  rotationId: string;
  credentialId: string;
  rotationToken: string;
  trigger: string;
  status: string;
  candidateVersion: string | null;
  previousVersion: string;
  attempts: number;
  failureCode: string | null;
  failureMessage: string | null;
  createdAt: string;
  completedAt: string | null;
  duplicate?: boolean;
}

/** Credentials: values go to the secrets port, rows keep a reference, a version and a fingerprint. */
@Injectable()
export class CredentialsService {
  constructor(
    @InjectRepository(IntegrationCredential) private readonly credentials: Repository<IntegrationCredential>,
    private readonly vault: CredentialVault,
    private readonly rotations: CredentialRotations,
    private readonly tenant: TenantContext,
  ) {}

  async create(request: CreateCredentialDto): Promise<CredentialView> {
    const tenantId = this.tenant.tenantId;
    const kind = request.kind ?? 'secret';
    if ((request.value === undefined) === (request.secretRef === undefined)) throw new BadRequestException('Give exactly one of value or secretRef');
    if (request.value !== undefined) assertValueShape(kind, request.value);
    const origin = request.value !== undefined ? 'stored' : 'bound';
    if (request.rotationPolicy?.intervalMs !== undefined && origin === 'stored') {
      throw new BadRequestException(
        'A scheduled rotation needs a value source: bind the credential to a vault secret (secretRef) whose new versions the rotation picks up, or rotate on demand with a new value',
      );
    }
    if (await this.credentials.existsBy({ tenantId, name: request.name })) throw new ConflictException(`Credential ${request.name} already exists`);

    const id = newId('cred');
    const { secretRef, version, fingerprint } =
      request.value !== undefined ? await this.storeValue(tenantId, id, request.value) : await this.bindSecret(tenantId, request.secretRef!, kind);
    const now = Date.now();
    const row = this.credentials.create({
      id,
      tenantId,
      name: request.name,
      kind,
      origin,
      secretRef,
      secretVersion: version,
      previousSecretVersion: null,
      previousVersionValidUntil: null,
      fingerprint,
      rotationPolicy: request.rotationPolicy ? { ...request.rotationPolicy } : null,
      status: 'Active',
      lastRotatedAt: null,
      nextRotationAt: request.rotationPolicy?.intervalMs ? new Date(now + request.rotationPolicy.intervalMs) : null,
    });
    try {
      await this.credentials.insert(row);
    } catch (error) {
      if (await this.credentials.existsBy({ tenantId, name: request.name })) throw new ConflictException(`Credential ${request.name} already exists`);
      throw error;
    }
    return toView((await this.credentials.findOneBy({ tenantId, id }))!);
  }

  async list(): Promise<CredentialView[]> {
    const rows = await this.credentials.find({ where: { tenantId: this.tenant.tenantId }, order: { createdAt: 'DESC' }, take: 500 });
    return rows.map(toView);
  }

  async get(id: string): Promise<CredentialView & { rotations: RotationView[] }> {
    const credential = await this.find(id);
    return { ...toView(credential), rotations: (await this.rotations.recent(credential)).map((rotation) => toRotationView(rotation)) };
  }

  async rotate(request: RotateCredentialDto): Promise<RotationView> {
    const credential = await this.find(request.credentialId);
    if (credential.status !== 'Active') throw new ConflictException(`Credential ${credential.id} is disabled`);
    if (request.value !== undefined) {
      if (credential.origin === 'bound') throw new BadRequestException('A bound credential rotates to its vault secret’s newer version; add the new value in the vault, not here');
      assertValueShape(credential.kind, request.value);
    } else if (credential.origin === 'stored') {
      const existing = request.rotationToken ? await this.rotations.find(credential, request.rotationToken) : null;
      if (existing) return toRotationView(existing, true);
      throw new BadRequestException('This credential’s value was given to the platform: rotate it with the new value');
    }
    const { rotation, duplicate } = await this.rotations.request(credential, { rotationToken: request.rotationToken, trigger: 'manual', value: request.value });
    return toRotationView(rotation, duplicate);
  }

  private async find(id: string): Promise<IntegrationCredential> {
    const credential = await this.credentials.findOneBy({ tenantId: this.tenant.tenantId, id });
    if (!credential) throw new NotFoundException(`Credential ${id} not found`);
    return credential;
  }

  private async storeValue(tenantId: string, id: string, value: string): Promise<{ secretRef: string; version: string; fingerprint: string }> {
    const secretRef = CredentialVault.secretNameFor(tenantId, id);
    return { secretRef, ...(await this.vault.store(secretRef, value)) };
  }

  private async bindSecret(tenantId: string, reference: string, kind: CredentialKind): Promise<{ secretRef: string; version: string; fingerprint: string }> {
    const [secretRef, version] = reference.split('/');
    const namespace = CredentialVault.tenantNamespace(tenantId);
    if (!secretRef.toLowerCase().startsWith(namespace)) {
      throw new BadRequestException(`secretRef must name a secret in this tenant's namespace: its name must start with ${namespace}`);
    }
    try {
      const bound = await this.vault.bind(secretRef, version);
      if (kind === 'oauth2-client' || kind === 'oauth2-refresh-token') assertValueShape(kind, await this.vault.read({ secretRef, secretVersion: bound.version }));
      return { secretRef, ...bound };
    } catch (error) {
      if (error instanceof SecretNotFoundError) throw new BadRequestException(`secretRef ${reference} does not name an existing, enabled secret`);
      throw error;
    }
  }
}

/** Checks a value fits its kind, without ever echoing it. */
function assertValueShape(kind: CredentialKind, value: string): void {
  if (kind === 'basic' && !value.includes(':')) throw new BadRequestException('A basic credential is "user:password"');
  if (kind === 'oauth2-client' || kind === 'oauth2-refresh-token') {
    let secrets: ReturnType<typeof parseClientSecrets>;
    try {
      secrets = parseClientSecrets(value);
    } catch {
      throw new BadRequestException('An OAuth2 credential is JSON {"clientId", "clientSecret"?, "refreshToken"?}');
    }
    if (kind === 'oauth2-client' && !secrets.clientSecret) throw new BadRequestException('An oauth2-client credential needs clientSecret');
    if (kind === 'oauth2-refresh-token' && !secrets.refreshToken) throw new BadRequestException('An oauth2-refresh-token credential needs refreshToken');
  }
}

function toView(row: IntegrationCredential): CredentialView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    origin: row.origin,
    secretRef: row.secretRef,
    version: row.secretVersion,
    fingerprint: row.fingerprint,
    rotationPolicy: row.rotationPolicy,
    status: row.status,
    previousVersion: row.previousSecretVersion,
    previousVersionValidUntil: isoOrNull(row.previousVersionValidUntil),
    lastRotatedAt: isoOrNull(row.lastRotatedAt),
    nextRotationAt: isoOrNull(row.nextRotationAt),
    createdAt: row.createdAt.toISOString(),
  };
}

export function toRotationView(row: CredentialRotation, duplicate?: boolean): RotationView {
  return {
    rotationId: row.id,
    credentialId: row.credentialId,
    rotationToken: row.rotationToken,
    trigger: row.trigger,
    status: row.status,
    candidateVersion: row.candidateVersion,
    previousVersion: row.previousVersion,
    attempts: row.attempts,
    failureCode: row.failureCode,
    failureMessage: row.failureMessage,
    createdAt: row.createdAt.toISOString(),
    completedAt: isoOrNull(row.completedAt),
    ...(duplicate !== undefined ? { duplicate } : {}),
  };
}
