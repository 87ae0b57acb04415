import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, Options } from '@grpc/proto-loader';

/**
 * The repository's `proto/` directory. Found by walking up to the directory holding package.json, so
 * the same code finds it from `src/` (ts-jest) and from `dist/` (the compiled image).
 */
export function protoRoot(from: string = __dirname): string {
  for (let directory = from; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) return join(directory, 'proto');
    if (dirname(directory) === directory) throw new Error(`No package.json above ${from}: cannot locate the proto/ directory`);
  }
}

/** How the platform reads proto files: field names as written, 64-bit integers as strings, defaults filled, oneofs named. */
export function protoLoaderOptions(root: string = protoRoot()): Options {
  return { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [root] };
}

/** Loads one service of a proto file (a path relative to `proto/`), with the platform's loader settings. */
export function loadServiceDefinition(protoFile: string, serviceName: string, root: string = protoRoot()): ServiceDefinition {
  const definitions = loadSync(join(root, protoFile), protoLoaderOptions(root));
  const service = definitions[serviceName];
  // Messages and enums carry a `format`; services are plain maps of methods.
  if (!service || 'format' in service) throw new Error(`${protoFile} defines no service ${serviceName}`);
  return service as ServiceDefinition;
}
