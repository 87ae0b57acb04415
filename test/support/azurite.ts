import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const AZURITE_BLOB_MAIN = join(__dirname, '..', '..', 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');

/** The storage emulator's documented development account (public, not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * Preloaded into the Azurite process (from its temporary directory): when its stdin pipe closes, which
 * the OS does when the test process dies in any way (even SIGKILL), it removes that directory and
 * exits, so no emulator or data outlives the test run.
 */
const EXIT_WITH_PARENT = `const parentGone = () => {
  require('node:fs').rmSync(__dirname, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', parentGone);
process.stdin.on('error', parentGone);
process.stdin.resume();
process.stdin.unref();
`;

export interface Azurite {
  readonly port: number;
  readonly connectionString: string;
  /** Temporary directory holding Azurite's data; removed by stop(). */
  readonly directory: string;
  /** The server process itself (spawned directly with node). */
  readonly process: ChildProcess;
  /** Kills the server and removes its data directory. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts a private Azurite blob server on a free port (one per jest worker or test file); ready when it accepts connections. */
export async function startAzurite(timeoutMs = 30_000): Promise<Azurite> {
  const directory = mkdtempSync(join(tmpdir(), 'azurite-'));
  const location = join(directory, 'data');
  mkdirSync(location);
  const preload = join(directory, 'exit-with-parent.js');
  writeFileSync(preload, EXIT_WITH_PARENT);
  try {
    // The free port may be taken again before Azurite binds it: retry with another one.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [
          '--require',
          preload,
          AZURITE_BLOB_MAIN,
          '--blobHost',
          '127.0.0.1',
          '--blobPort',
          String(port),
          '--location',
          location,
          '--silent',
          '--disableTelemetry',
          '--skipApiVersionCheck',
        ],
        { stdio: ['pipe', 'ignore', 'pipe'] },
      );
      running.add(child);
      // A forgotten stop() must not keep the test process alive; the emulator still exits with it.
      child.unref();
      (child.stdin as unknown as { unref(): void }).unref();
      (child.stderr as unknown as { unref(): void }).unref();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      exited.then(() => running.delete(child));
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      try {
        await waitUntilListening(port, exited, timeoutMs);
      } catch (error) {
        child.kill('SIGKILL');
        await exited;
        if (attempt < 3 && /EADDRINUSE/.test(stderr)) continue;
        throw new Error(`Azurite did not start: ${(error as Error).message}${stderr ? `\n${stderr}` : ''}`, { cause: error });
      }
      return {
        port,
        connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`,
        directory,
        process: child,
        async stop() {
          child.ref();
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
          rmSync(directory, { recursive: true, force: true });
        },
      };
    }
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilListening(port: number, exited: Promise<void>, timeoutMs: number): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (gone) throw new Error('the process exited');
    if (Date.now() > deadline) throw new Error(`no connection on port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
