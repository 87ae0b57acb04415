import { connect, Socket } from 'node:net';
import { Injectable } from '@nestjs/common';
import { classifyError, IntegrationError } from '../resilience/failure-classifier';
import { EgressOptions } from './egress.options';
import { EgressPolicy } from './egress-policy';

export interface SocketDestination {
  host: string;
  port: number;
  /** Until connected. Default EGRESS_CONNECT_TIMEOUT. */
  timeoutMs?: number;
}

/**
 * Plain TCP connections for protocols other than HTTP (SMTP): the same destination policy as the HTTP
 * client (allow-list, SSRF guard on every address the name resolves to), and the socket opened to the
 * very address that passed. TLS, when the protocol wants it, is layered on the returned socket by the
 * caller with the host name as server name, so certificate checks are unchanged.
 */
@Injectable()
export class EgressSockets {
  constructor(
    private readonly policy: EgressPolicy,
    private readonly options: EgressOptions,
  ) {}

  async connect(destination: SocketDestination): Promise<Socket> {
    if (!Number.isInteger(destination.port) || destination.port < 1 || destination.port > 65_535) {
      throw IntegrationError.validation('invalid_port', `Egress to ${destination.host} refused: port ${destination.port} is not a TCP port`);
    }
    const { address } = await this.policy.resolve(destination.host);
    const timeoutMs = destination.timeoutMs ?? this.options.connectTimeoutMs;
    return new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: address, port: destination.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(IntegrationError.transient('connect_timeout', `Egress to ${destination.host}:${destination.port} failed: no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        const { category, code } = classifyError(error);
        reject(new IntegrationError(category, code, `Egress to ${destination.host}:${destination.port} failed: ${code}`, { cause: error }));
      });
    });
  }
}
