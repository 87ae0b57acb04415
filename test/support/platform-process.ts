import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/** Variables of the developer's shell that would change what a test boots; tests set what they need. */
const INHERITED_BUT_IGNORED =
  /^(APP_ROLE|DATABASE_|AUTH_|NODE_ENV|PORT|HOST|DATA_DIR|LOG_|SQLITE_|SHUTDOWN_|HTTP_|AZURE_|BLOB_|KEYVAULT_|SECRETS_|REDIS_|SERVICEBUS_|BUS_|BREAKER_|RETRY_|GRPC_)/;

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A real `node dist/main.js` process: the exact thing `npm start` and the container run. */
export class PlatformProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  port?: number;
  /** The gRPC port, when the process runs a role of kind http+grpc. */
  grpcPort?: number;

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => this.stdout.push(line));
    createInterface({ input: child.stderr }).on('line', (line) => this.stderr.push(line));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** `main`: another entry point that boots dist/ (a launcher adding a test-only vendor descriptor). */
  static spawn(env: Record<string, string>, main = MAIN): PlatformProcess {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !INHERITED_BUT_IGNORED.test(key)));
    const child = spawn(process.execPath, [main], {
      env: { ...inherited, PORT: '0', HOST: '127.0.0.1', GRPC_PORT: '0', GRPC_HOST: '127.0.0.1', DATA_DIR: tempDataDir(), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new PlatformProcess(child);
  }

  /** Runs `command` with exactly `env`, nothing inherited: how a container runtime starts an image's entrypoint. */
  static spawnCommand(command: string, args: readonly string[], env: Record<string, string>, cwd: string): PlatformProcess {
    return new PlatformProcess(spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** Spawns and waits for the "listening" line; rejects with the output if the process exits first. */
  static async start(env: Record<string, string>, timeoutMs = 30_000, main = MAIN): Promise<PlatformProcess> {
    const platform = PlatformProcess.spawn(env, main);
    await platform.listening(timeoutMs);
    return platform;
  }

  /** Waits for the "listening" line and takes the port from it. */
  async listening(timeoutMs = 30_000): Promise<void> {
    const line = await this.waitForLog((candidate) => candidate.msg.startsWith('Integration platform listening'), timeoutMs);
    this.port = Number(line.port);
    if (line.grpcPort !== undefined) this.grpcPort = Number(line.grpcPort);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  logs(): LogLine[] {
    return this.stdout.flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  }

  output(): string {
    return [...this.stdout, ...this.stderr].join('\n');
  }

  async waitForLog(match: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const found = this.logs().find(match);
      if (found) return found;
      if (exited || Date.now() > deadline) {
        throw new Error(`${exited ? 'Process exited' : 'Timed out'} before the expected log line. Output:\n${this.output().slice(-4000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Sends `signal`; with `killAfterMs`, a SIGKILL follows if the process is still running by then. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs?: number): Promise<number | null> {
    if (!this.running) return (await this.exited).code;
    this.child.kill(signal);
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => this.child.kill('SIGKILL'), killAfterMs);
    const { code } = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** Runs a process that is expected to exit on its own (bad configuration, unknown role). */
export async function runToExit(env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; platform: PlatformProcess }> {
  const platform = PlatformProcess.spawn(env);
  const timer = setTimeout(() => platform.child.kill('SIGKILL'), timeoutMs);
  const { code } = await platform.exited;
  clearTimeout(timer);
  return { code, platform };
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'ip-data-'));
}
