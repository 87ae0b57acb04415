import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { contentTypeOf } from '../../../platform/http/content-types';

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** Vite names built assets by their content hash: they never change under one name. */
  readonly immutable: boolean;
}

/**
 * The built console, read once at boot: a fixed map from URL path to file, so no request path ever
 * reaches the file system (no traversal, no probing). Empty when the console has not been built.
 */
export class ConsoleAssets {
  private readonly assets = new Map<string, ConsoleAsset>();

  constructor(readonly root: string) {
    if (!existsSync(join(root, 'index.html'))) return;
    for (const file of filesUnder(root)) {
      const path = relative(root, file).split(sep).join('/');
      this.assets.set(path, {
        body: readFileSync(file),
        contentType: contentTypeOf(file),
        immutable: path.startsWith('assets/'),
      });
    }
  }

  get built(): boolean {
    return this.assets.has('index.html');
  }

  /** The file at `path`, or the app's page for any other path (the app routes itself); undefined for a missing asset. */
  resolve(path: string): ConsoleAsset | undefined {
    const asset = this.assets.get(path);
    if (asset) return asset;
    // A missing hashed asset is a 404, not the page: a stale tab must not parse HTML as script.
    if (path.startsWith('assets/') || extname(path) !== '') return undefined;
    return this.assets.get('index.html');
  }
}

/** Where `npm run build` puts the console: dist/console under the repository (and the image's /app). */
export const BUILT_CONSOLE_DIR = join(__dirname, '..', '..', '..', '..', 'dist', 'console');

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
