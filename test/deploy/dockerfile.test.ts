import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Copy, DockerfileParser, Healthcheck, Instruction, JSONInstruction, PropertyInstruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

const ROOT = join(__dirname, '..', '..');
const TEXT = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const DOCKERFILE = DockerfileParser.parse(TEXT);

interface Stage {
  readonly name: string | null;
  readonly image: string;
  readonly instructions: Instruction[];
}

/** ENV, ARG and LABEL entries as name/value pairs. */
function properties(instructions: Instruction[]): Array<readonly [string, string]> {
  return instructions.flatMap((instruction) => (instruction as PropertyInstruction).getProperties().map((property) => [property.getName(), property.getValue() ?? ''] as const));
}

/** Global ARG defaults, as FROM lines see them. */
function globalArgs(): Map<string, string> {
  const firstFrom = DOCKERFILE.getFROMs()[0].getRange().start.line;
  return new Map(properties(DOCKERFILE.getARGs().filter((arg) => arg.getRange().start.line < firstFrom)));
}

function stages(): Stage[] {
  const args = globalArgs();
  const result: Stage[] = [];
  for (const instruction of DOCKERFILE.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image, , name] = instruction.getArguments().map((argument) => argument.getValue());
      const resolved = image.replace(/\$\{?(\w+)\}?/g, (_, variable: string) => args.get(variable) ?? '');
      result.push({ name: name ?? null, image: resolved, instructions: [] });
    } else if (result.length > 0) {
      result[result.length - 1].instructions.push(instruction);
    }
  }
  return result;
}

const STAGES = stages();
const FINAL = STAGES[STAGES.length - 1];
const inFinal = (keyword: string) => FINAL.instructions.filter((instruction) => instruction.getKeyword() === keyword);
const jsonArguments = (instruction: Instruction) => (instruction as JSONInstruction).getJSONStrings().map((argument) => argument.getJSONValue());

/** The variables the platform reads that README's configuration table marks as secret. */
function secretVariables(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/^\| `([A-Z0-9_]+)` \|[^\n]*\| \(secret\) /gm)].map((match) => match[1]);
}

/**
 * Whether `path` (relative to the build context) is left out of it by `.dockerignore`, with Docker's
 * rules: patterns in order, the last that matches the path or one of its parent directories wins,
 * `!` re-includes, `*` and `?` stop at `/`, `**` crosses directories.
 */
function ignoredByDockerignore(path: string, lines: string[]): boolean {
  const patterns = lines
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const glob = (negated ? line.slice(1) : line).trim().replace(/^\/+|\/+$/g, '');
      let source = '';
      for (let index = 0; index < glob.length; index += 1) {
        const char = glob[index];
        if (char === '*' && glob[index + 1] === '*') {
          const slash = glob[index + 2] === '/';
          source += slash ? '(?:.*/)?' : '.*';
          index += slash ? 2 : 1;
        } else if (char === '*') source += '[^/]*';
        else if (char === '?') source += '[^/]';
        else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
      return { negated, regex: new RegExp(`^${source}$`) };
    });
  const segments = path.split('/');
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const { negated, regex } of patterns) {
    if (candidates.some((candidate) => regex.test(candidate))) ignored = !negated;
  }
  return ignored;
}

describe('Dockerfile', () => {
  it('passes dockerfile-utils with no problem of any severity', () => {
    expect(validate(TEXT)).toEqual([]);
    // The linter is live: the same call reports a broken file.
    expect(validate('FROM node:20\nUSER\nHEALTHCHECK CMD\nCMD ["a" "b"]\n').length).toBeGreaterThan(0);
  });

  it('builds in a separate stage from the lockfile, then prunes development dependencies', () => {
    expect(STAGES.length).toBeGreaterThanOrEqual(2);
    const build = STAGES.find((stage) => stage.name === 'build');
    expect(build).toBeDefined();
    const runs = build!.instructions.filter((instruction) => instruction.getKeyword() === 'RUN').map((instruction) => instruction.getArgumentsContent() ?? '');
    const ci = runs.findIndex((run) => /\bnpm ci\b/.test(run));
    const compile = runs.findIndex((run) => /\bnpm run build\b/.test(run));
    const prune = runs.findIndex((run) => /\bnpm prune\b[^&]*--omit=dev/.test(run));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(compile).toBeGreaterThanOrEqual(ci);
    expect(prune).toBeGreaterThanOrEqual(compile);
    // better-sqlite3 compiles from source: the toolchain belongs to the build stage only.
    expect(runs.some((run) => /apt-get install[^&]*\bpython3\b[^&]*\bmake\b[^&]*\bg\+\+/.test(run))).toBe(true);
    expect(FINAL.instructions.some((instruction) => /\bg\+\+|\bmake\b|\bnpm (ci|install)\b/.test(instruction.getArgumentsContent() ?? ''))).toBe(false);
  });

  it('runs on Node 20 slim, with only the build output and production dependencies copied in', () => {
    expect(FINAL.image).toMatch(/^node:20(\.\d+){0,2}-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    const copies = inFinal('COPY') as Copy[];
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy.getFromFlag()?.getValue()).toBe('build');
    const sources = copies.flatMap((copy) =>
      copy
        .getArguments()
        .slice(0, -1)
        .map((argument) => argument.getValue()),
    );
    expect(sources).toEqual(expect.arrayContaining(['/app/dist', '/app/node_modules', '/app/proto']));
  });

  it('runs as a non-root user with NODE_ENV=production', () => {
    const users = inFinal('USER').map((instruction) => instruction.getArgumentsContent()!.trim());
    expect(users.length).toBeGreaterThan(0);
    const [user, group] = users[users.length - 1].split(':');
    expect(['root', '0']).not.toContain(user);
    if (group !== undefined) expect(['root', '0']).not.toContain(group);

    const env = new Map(properties(inFinal('ENV')));
    expect(env.get('NODE_ENV')).toBe('production');
    expect(env.get('PORT')).toBe('3000');
    expect(inFinal('EXPOSE').map((instruction) => instruction.getArgumentsContent())).toContain('3000');
  });

  it('starts node under tini, so SIGTERM reaches the process and its graceful shutdown', () => {
    const entrypoints = inFinal('ENTRYPOINT');
    expect(entrypoints).toHaveLength(1);
    const [init, ...initArgs] = jsonArguments(entrypoints[0]);
    expect(init).toMatch(/(^|\/)tini$/);
    expect(initArgs).toEqual(['--']);
    expect(inFinal('RUN').some((instruction) => /apt-get install[^&]*\btini\b/.test(instruction.getArgumentsContent() ?? ''))).toBe(true);
    // Exec form: node is tini's direct child, not a shell's.
    expect(jsonArguments(inFinal('CMD')[0])).toEqual(['node', 'dist/main.js']);
    expect(inFinal('STOPSIGNAL').map((instruction) => instruction.getArgumentsContent())).not.toContain('SIGKILL');
  });

  it('checks liveness at /health/live on PORT', () => {
    const checks = inFinal('HEALTHCHECK') as Healthcheck[];
    expect(checks).toHaveLength(1);
    expect(checks[0].getSubcommand()?.getValue()).toBe('CMD');
    expect(checks[0].getArgumentsContent()).toMatch(/\/health\/live/);
    expect(checks[0].getArgumentsContent()).toMatch(/process\.env\.PORT/);
    const flags = Object.fromEntries(checks[0].getFlags().map((flag) => [flag.getName(), flag.getValue()]));
    expect(Object.keys(flags)).toEqual(expect.arrayContaining(['interval', 'timeout', 'start-period', 'retries']));
  });

  it('bakes in no secret: no secret-looking ENV or ARG, no secret the platform reads, no .env file', () => {
    const secrets = secretVariables();
    expect(secrets).toEqual(expect.arrayContaining(['DATABASE_URL', 'SERVICEBUS_CONNECTION_STRING', 'SECRETS_MASTER_KEY', 'AUTH_JWT_SECRET']));
    const declared = properties(DOCKERFILE.getInstructions().filter((instruction) => ['ENV', 'ARG'].includes(instruction.getKeyword()))).map(([name]) => name);
    expect(declared.length).toBeGreaterThan(0);
    for (const name of declared) {
      expect(name).not.toMatch(/SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|(^|_)KEY($|_)|CONNECTION_STRING|PRIVATE/i);
      expect(secrets).not.toContain(name);
    }
    for (const instruction of DOCKERFILE.getInstructions().filter((candidate) => ['COPY', 'ADD'].includes(candidate.getKeyword()))) {
      for (const source of instruction
        .getArguments()
        .slice(0, -1)
        .map((argument) => argument.getValue())) {
        expect(source).not.toMatch(/(^|\/)\.env|\.pem$|\.key$|(^|\/)\.npmrc$/);
        expect(source).not.toMatch(/^https?:\/\//);
      }
    }
  });

  it('labels the image with OCI annotations', () => {
    const labels = properties(inFinal('LABEL')).map(([name]) => name);
    expect(labels).toEqual(
      expect.arrayContaining(['org.opencontainers.image.title', 'org.opencontainers.image.version', 'org.opencontainers.image.revision', 'org.opencontainers.image.licenses']),
    );
  });
});

describe('.dockerignore', () => {
  const path = join(ROOT, '.dockerignore');
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split(/\r?\n/) : [];

  it('exists', () => {
    expect(existsSync(path)).toBe(true);
  });

  it.each([
    '.env',
    '.env.local',
    '.env.production',
    'src/.env',
    'src/platform/.env.local',
    'node_modules/typeorm/package.json',
    'src/some-module/node_modules/x/index.js',
    'deploy/pulumi/node_modules/@pulumi/pulumi/package.json',
    '.git/HEAD',
    '.tmp/test-ca/ca.pem',
    'data/platform.sqlite',
    'data/secrets/master.key',
    'dist/main.js',
    'coverage/lcov.info',
    'test/deploy/dockerfile.test.ts',
    'bench/results/latest.json',
    'npm-debug.log',
  ])('keeps %s out of the build context', (file) => {
    expect(ignoredByDockerignore(file, lines)).toBe(true);
  });

  it('keeps everything the Dockerfile copies from the context', () => {
    const fromContext = DOCKERFILE.getCOPYs()
      .filter((copy) => !copy.getFromFlag())
      .flatMap((copy) =>
        copy
          .getArguments()
          .slice(0, -1)
          .map((argument) => argument.getValue()),
      );
    expect(fromContext).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'proto']));
    for (const source of [...fromContext, 'src/main.ts', 'src/platform/messaging/topology.ts', 'proto/integration/models/v1/models.proto']) {
      expect(existsSync(join(ROOT, source))).toBe(true);
      expect(ignoredByDockerignore(source, lines)).toBe(false);
    }
  });
});
