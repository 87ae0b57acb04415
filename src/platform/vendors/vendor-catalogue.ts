import type { ModelProtocol } from '../models/model-protocol';
import type { VerifiedWebhook, WebhookVerifier } from '../webhooks/verification/webhook-verifier';
import type { AuthStrategy, NormalisedEvent, ProviderDefinition, SyncSource, VendorDescriptor, VendorHttpProfile, VendorOperation } from './vendor-descriptor';

/**
 * Every vendor the platform knows, by provider id, with their verifiers, auth strategies, operations and
 * sync sources. Built from the descriptors the composition root hands in (the kernel imports none), so
 * every role, whatever modules it runs, verifies any vendor's webhooks and resolves any provider.
 */
export class VendorCatalogue {
  private readonly byProvider = new Map<string, VendorDescriptor>();
  private readonly verifiers = new Map<string, WebhookVerifier>();
  private readonly normalisers = new Map<string, (verified: VerifiedWebhook) => NormalisedEvent>();
  private readonly strategies = new Map<string, AuthStrategy>();
  private readonly operationsByName = new Map<string, { providerId: string; operation: VendorOperation }>();

  constructor(descriptors: readonly VendorDescriptor[], builtInStrategies: readonly AuthStrategy[] = [], extraVerifiers: readonly WebhookVerifier[] = []) {
    for (const strategy of builtInStrategies) this.addStrategy(strategy, 'the kernel');
    for (const verifier of extraVerifiers) this.addVerifier(verifier, 'the kernel');
    for (const descriptor of descriptors) {
      const id = descriptor.provider.id;
      if (this.byProvider.has(id)) throw new Error(`Vendor catalogue: provider ${id} is declared twice`);
      this.byProvider.set(id, descriptor);
      if (descriptor.webhooks) {
        const { verifier, normalise } = descriptor.webhooks;
        this.addVerifier(verifier, id);
        if (normalise) this.normalisers.set(verifier.name, normalise);
      }
      for (const strategy of descriptor.authStrategies ?? []) this.addStrategy(strategy, id);
      for (const operation of descriptor.operations ?? []) {
        if (this.operationsByName.has(operation.name)) throw new Error(`Vendor catalogue: operation ${operation.name} is declared twice`);
        if (!operation.request === !operation.run) throw new Error(`Vendor catalogue: operation ${operation.name} needs exactly one of request or run`);
        this.operationsByName.set(operation.name, { providerId: id, operation });
      }
      const sources = new Set<string>();
      for (const source of descriptor.syncSources ?? []) {
        if (sources.has(source.name)) throw new Error(`Vendor catalogue: sync source ${id}/${source.name} is declared twice`);
        sources.add(source.name);
      }
    }
    for (const descriptor of descriptors) {
      for (const mode of descriptor.provider.authModes) {
        if (!this.strategies.has(mode)) throw new Error(`Vendor catalogue: provider ${descriptor.provider.id} names auth mode ${mode}, which no strategy provides`);
      }
    }
  }

  get descriptors(): readonly VendorDescriptor[] {
    return [...this.byProvider.values()];
  }

  get providers(): readonly ProviderDefinition[] {
    return this.descriptors.map((descriptor) => descriptor.provider);
  }

  descriptor(providerId: string): VendorDescriptor | undefined {
    return this.byProvider.get(providerId);
  }

  http(providerId: string): VendorHttpProfile {
    return this.byProvider.get(providerId)?.http ?? {};
  }

  /** A verifier by the name a provider row stores (built-in or chosen by a tenant-registered provider). */
  verifier(name: string): WebhookVerifier | undefined {
    return this.verifiers.get(name);
  }

  /** The normaliser of the vendor that owns the verifier (a tenant's provider using a vendor's verifier gets its event names too). */
  normaliser(verifierName: string): ((verified: VerifiedWebhook) => NormalisedEvent) | undefined {
    return this.normalisers.get(verifierName);
  }

  get verifierNames(): readonly string[] {
    return [...this.verifiers.keys()];
  }

  /** The model protocol of a provider, when it is a model provider. */
  models(providerId: string): ModelProtocol | undefined {
    return this.byProvider.get(providerId)?.models;
  }

  authStrategy(mode: string): AuthStrategy | undefined {
    return this.strategies.get(mode);
  }

  get authModes(): readonly string[] {
    return [...this.strategies.keys()];
  }

  /** The operations of the given providers (every provider when none are given), in declaration order. */
  operations(providerIds?: readonly string[]): Array<{ providerId: string; operation: VendorOperation }> {
    const wanted = providerIds ? new Set(providerIds) : undefined;
    return [...this.operationsByName.values()].filter((entry) => !wanted || wanted.has(entry.providerId));
  }

  operation(name: string): { providerId: string; operation: VendorOperation } | undefined {
    return this.operationsByName.get(name);
  }

  syncSources(providerId: string): readonly SyncSource[] {
    return this.byProvider.get(providerId)?.syncSources ?? [];
  }

  syncSource(providerId: string, name: string): SyncSource | undefined {
    return this.syncSources(providerId).find((source) => source.name === name);
  }

  private addVerifier(verifier: WebhookVerifier, owner: string): void {
    const existing = this.verifiers.get(verifier.name);
    if (existing && existing !== verifier) throw new Error(`Vendor catalogue: verifier ${verifier.name} (from ${owner}) is declared twice`);
    this.verifiers.set(verifier.name, verifier);
  }

  private addStrategy(strategy: AuthStrategy, owner: string): void {
    if (this.strategies.has(strategy.mode)) throw new Error(`Vendor catalogue: auth mode ${strategy.mode} (from ${owner}) is declared twice`);
    this.strategies.set(strategy.mode, strategy);
  }
}
