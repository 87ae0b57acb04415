import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HEALTH_PROTO, HEALTH_SERVICE } from './grpc-health';
import { loadServiceDefinition, protoRoot } from './proto-files';

describe('proto files', () => {
  it('finds proto/ beside package.json from any directory below it', () => {
    const root = protoRoot();
    expect(existsSync(join(root, HEALTH_PROTO))).toBe(true);
    expect(protoRoot(join(root, '..', 'dist', 'platform', 'grpc'))).toBe(root);
  });

  it('loads a service by its fully qualified name, and refuses a name that is not a service', () => {
    expect(Object.keys(loadServiceDefinition(HEALTH_PROTO, HEALTH_SERVICE))).toEqual(['Check', 'Watch']);
    expect(() => loadServiceDefinition(HEALTH_PROTO, 'grpc.health.v1.HealthCheckRequest')).toThrow('defines no service grpc.health.v1.HealthCheckRequest');
  });
});
