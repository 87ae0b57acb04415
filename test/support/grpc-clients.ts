// gRPC clients of the platform's services for tests: the proto files loaded as the server loads them.
import { join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, ServiceError, status } from '@grpc/grpc-js';
import type { Client, ClientReadableStream, GrpcObject, ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoLoaderOptions, protoRoot } from '../../src/platform/grpc/proto-files';

type Callback<T> = (error: ServiceError | null, value?: T) => void;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the generated clients are untyped; answers are asserted field by field
export type UntypedClient = Client & Record<string, (...args: any[]) => any>;

export function loadClients(port: number): { models: UntypedClient; health: UntypedClient } {
  const root = protoRoot();
  const definition = loadSync([join(root, 'integration/models/v1/models.proto'), join(root, 'grpc/health/v1/health.proto')], protoLoaderOptions(root));
  const loaded = loadPackageDefinition(definition);
  const pick = (path: string) => path.split('.').reduce((node, key) => (node as GrpcObject)[key], loaded as unknown) as ServiceClientConstructor;
  const target = `127.0.0.1:${port}`;
  return {
    models: new (pick('integration.models.v1.Models'))(target, credentials.createInsecure()) as UntypedClient,
    health: new (pick('grpc.health.v1.Health'))(target, credentials.createInsecure()) as UntypedClient,
  };
}

/** A client of integration.mcp.v1.McpConnector (served by the McpConnectorService role). */
export function loadMcpClient(port: number): UntypedClient {
  const root = protoRoot();
  const definition = loadSync(join(root, 'integration/mcp/v1/mcp_connector.proto'), protoLoaderOptions(root));
  const loaded = loadPackageDefinition(definition) as unknown as { integration: { mcp: { v1: { McpConnector: ServiceClientConstructor } } } };
  return new loaded.integration.mcp.v1.McpConnector(`127.0.0.1:${port}`, credentials.createInsecure()) as UntypedClient;
}

export const unaryCall = <T>(client: UntypedClient, method: string, request: object, metadata = new Metadata(), options: { deadline?: number } = {}) =>
  new Promise<{ response?: T; error?: ServiceError; trailers?: Metadata }>((resolve) => {
    let trailers: Metadata | undefined;
    let outcome: { response?: T; error?: ServiceError } | undefined;
    const settle = () => {
      if (outcome && trailers) resolve({ ...outcome, trailers });
    };
    const call = client[method](request, metadata, options, ((error, response) => {
      outcome = error ? { error } : { response };
      if (error) trailers = error.metadata;
      settle();
    }) as Callback<T>);
    call.on('status', (result: { metadata: Metadata }) => {
      trailers = result.metadata;
      settle();
    });
  });

/** Reads a server stream to its end: the events, then the status (or the error). */
export const readStream = <T>(stream: ClientReadableStream<T>) =>
  new Promise<{ events: T[]; error?: ServiceError; trailers?: Metadata }>((resolve) => {
    const events: T[] = [];
    stream.on('data', (event: T) => events.push(event));
    stream.on('error', (error: ServiceError) => resolve({ events, error, trailers: error.metadata }));
    stream.on('status', (result: { code: status; metadata: Metadata }) => {
      if (result.code === status.OK) resolve({ events, trailers: result.metadata });
    });
  });

export async function bearerMetadata(token: string): Promise<Metadata> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}
