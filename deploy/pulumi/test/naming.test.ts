import * as pulumi from '@pulumi/pulumi';
import { ROLES } from '../../../src/roles';
import { isoDuration, kubernetesName } from '../lib/naming';
import { loadSettings } from '../lib/settings';
import { KUBERNETES_NAMES } from './harness';

describe('kubernetesName', () => {
  it('names every role as the Helm chart does, brand words kept whole', () => {
    expect(Object.fromEntries(ROLES.map((role) => [role.name, kubernetesName(role.name)]))).toEqual(KUBERNETES_NAMES);
  });

  it('keeps acronym runs together and yields valid DNS labels', () => {
    expect(kubernetesName('HTTPProxyService')).toBe('http-proxy-service');
    for (const role of ROLES) expect(kubernetesName(role.name)).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });
});

describe('isoDuration', () => {
  it('writes durations in the normalised form Azure returns', () => {
    expect(isoDuration(60_000)).toBe('PT1M');
    expect(isoDuration(600_000)).toBe('PT10M');
    expect(isoDuration(90_000)).toBe('PT1M30S');
    expect(isoDuration(5_400_000)).toBe('PT1H30M');
    expect(isoDuration(500)).toBe('PT0.5S');
    expect(isoDuration(2 * 86_400_000 + 1000)).toBe('P2DT1S');
  });

  it('rejects durations Azure cannot hold', () => {
    expect(() => isoDuration(0)).toThrow(RangeError);
    expect(() => isoDuration(1.5)).toThrow(RangeError);
  });
});

describe('loadSettings', () => {
  const PROJECT = 'integration-platform';
  const load = (config: Record<string, string>) => {
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [`${PROJECT}:${key}`, value])), [`${PROJECT}:postgresAdministratorPassword`]);
    return loadSettings(new pulumi.Config(PROJECT));
  };
  const password = { postgresAdministratorPassword: 'secret' };

  it('defaults to a new cluster, Standard Service Bus and the chart namespace', () => {
    expect(load(password)).toMatchObject({
      namePrefix: 'intplat',
      kubernetesNamespace: 'integration-platform',
      kedaNamespace: 'kube-system',
      serviceBus: { sku: 'Standard', capacity: undefined },
      redis: { sku: 'Standard', capacity: 1 },
      cluster: { kind: 'managed', nodeMinCount: 2, nodeMaxCount: 6 },
    });
  });

  it('requires the PostgreSQL administrator password', () => {
    expect(() => load({})).toThrow(/postgresAdministratorPassword/);
  });

  it.each([
    [{ namePrefix: 'Integration-Platform' }, /namePrefix/],
    [{ serviceBusSku: 'Basic' }, /serviceBusSku must be one of Standard, Premium/],
    [{ aksOidcIssuerUrl: 'http://insecure.example/' }, /aksOidcIssuerUrl must be an https URL/],
    [{ aksNodeMinCount: '4', aksNodeMaxCount: '3' }, /aksNodeMaxCount \(3\) must not be below aksNodeMinCount \(4\)/],
    [{ postgresEntraAdministrator: '{"objectId":"x"}' }, /postgresEntraAdministrator needs objectId, principalName and principalType/],
  ])('rejects %j', (config, message) => {
    expect(() => load({ ...password, ...config })).toThrow(message);
  });
});
