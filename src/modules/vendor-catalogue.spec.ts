import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BUILT_IN_AUTH_STRATEGIES } from '../platform/integrations/auth/built-in-strategies';
import { VendorCatalogue } from '../platform/vendors/vendor-catalogue';
import type { VendorDescriptor } from '../platform/vendors/vendor-descriptor';
import { VendorsModule } from '../platform/vendors/vendors.module';
import { VENDOR_DESCRIPTORS } from './vendor-catalogue';

const PLATFORM = join(__dirname, '..', 'platform');

/**
 * Provider ids that are not vendors the kernel could favour: the platform itself runs on two clouds'
 * infrastructure (its own ports and the SSRF guard's metadata addresses name them), and SMTP and MCP are
 * protocols.
 */
const NOT_VENDOR_NAMES = new Set(['azure', 'aws', 'smtp', 'mcp']);

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every spelling of a vendor's name worth catching: its id, its display name, and both without separators. */
function vendorSpellings(descriptor: VendorDescriptor): string[] {
  const { id, displayName } = descriptor.provider;
  const spellings = new Set([id, displayName, id.replace(/-/g, ' '), id.replace(/-/g, ''), displayName.replace(/\s+/g, '')]);
  return [...spellings].map((spelling) => spelling.toLowerCase()).filter((spelling) => spelling.length >= 4);
}

describe('the vendor catalogue', () => {
  const catalogue = VendorsModule.catalogueOf(VENDOR_DESCRIPTORS);

  it('declares every built-in provider of the design once, each auth mode backed by a strategy', () => {
    expect(catalogue.providers.map((provider) => provider.id).sort()).toEqual(
      [
        'github',
        'azure-devops',
        'openai',
        'azure-openai',
        'ollama',
        'mcp',
        'azure',
        'aws',
        'smtp',
        'azure-communication-services',
        'twilio',
        'sms019',
        'stripe',
        'hubspot',
        'zendesk',
        'slack',
        'standard-webhooks',
        'generic-hmac',
        'generic-rest',
      ].sort(),
    );
    for (const provider of catalogue.providers) for (const mode of provider.authModes) expect(catalogue.authStrategy(mode)).toBeDefined();
  });

  it('knows every verifier by the name a provider row stores', () => {
    expect([...catalogue.verifierNames].sort()).toEqual([
      'azure-devops',
      'azure-event-grid',
      'generic-hmac',
      'github',
      'hubspot',
      'slack',
      'standard-webhooks',
      'stripe',
      'twilio',
      'zendesk',
    ]);
  });

  it('refuses a descriptor that names an auth mode no strategy provides, or declares a provider or operation twice', () => {
    const provider = { id: 'acme', displayName: 'Acme', category: 'generic' as const, capabilities: [], authModes: ['acme-magic'] };
    expect(() => new VendorCatalogue([{ provider }], BUILT_IN_AUTH_STRATEGIES)).toThrow(/auth mode acme-magic/);
    const plain = { ...provider, authModes: ['bearer'] };
    expect(() => new VendorCatalogue([{ provider: plain }, { provider: plain }], BUILT_IN_AUTH_STRATEGIES)).toThrow(/declared twice/);
    const operation = { name: 'acme.things.get', description: 'x', input: {}, output: {}, effect: 'read' as const, request: () => ({ method: 'GET', path: '/things' }) };
    expect(() => new VendorCatalogue([{ provider: plain, operations: [operation, operation] }], BUILT_IN_AUTH_STRATEGIES)).toThrow(/operation acme.things.get is declared twice/);
    expect(() => new VendorCatalogue([{ provider: plain, operations: [{ ...operation, request: undefined }] }], BUILT_IN_AUTH_STRATEGIES)).toThrow(/exactly one of request or run/);
  });

  it('keeps src/platform free of vendor names: the kernel holds mechanisms only', () => {
    const spellings = VENDOR_DESCRIPTORS.filter((descriptor) => descriptor.provider.category !== 'generic' && !NOT_VENDOR_NAMES.has(descriptor.provider.id)).flatMap(
      vendorSpellings,
    );
    const offences: string[] = [];
    for (const file of filesUnder(PLATFORM)) {
      const lines = readFileSync(file, 'utf8').toLowerCase().split('\n');
      lines.forEach((line, index) => {
        for (const spelling of spellings) if (line.includes(spelling)) offences.push(`${relative(PLATFORM, file)}:${index + 1} names ${spelling}`);
      });
    }
    expect(offences).toEqual([]);
  });
});
