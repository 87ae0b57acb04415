import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleAssets } from './console-assets';

describe('ConsoleAssets', () => {
  const root = mkdtempSync(join(tmpdir(), 'console-assets-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Console</title>');
  writeFileSync(join(root, 'assets', 'index-3f2a.js'), 'console.log(1)');
  writeFileSync(join(root, 'favicon.svg'), '<svg/>');
  const assets = new ConsoleAssets(root);

  it('serves the built files with their types, hashed assets as immutable', () => {
    expect(assets.resolve('assets/index-3f2a.js')).toMatchObject({ contentType: 'text/javascript; charset=utf-8', immutable: true });
    expect(assets.resolve('favicon.svg')).toMatchObject({ contentType: 'image/svg+xml', immutable: false });
    expect(assets.resolve('index.html')?.body.toString()).toContain('<title>Console</title>');
  });

  it("answers the app's page for its own routes, and nothing for a missing file", () => {
    expect(assets.resolve('deliveries')?.contentType).toBe('text/html; charset=utf-8');
    expect(assets.resolve('connections/conn-1')?.contentType).toBe('text/html; charset=utf-8');
    expect(assets.resolve('assets/gone-1234.js')).toBeUndefined();
    expect(assets.resolve('robots.txt')).toBeUndefined();
  });

  it('never reaches outside its files, whatever the path', () => {
    for (const path of ['../package.json', 'assets/../../etc/passwd', '%2e%2e/secret', '/etc/passwd.txt']) {
      const asset = assets.resolve(path);
      expect(asset === undefined || asset.body.toString().includes('<title>Console</title>')).toBe(true);
    }
  });

  it('is empty before the console is built', () => {
    const empty = new ConsoleAssets(mkdtempSync(join(tmpdir(), 'console-unbuilt-')));
    expect(empty.built).toBe(false);
    expect(empty.resolve('index.html')).toBeUndefined();
  });
});
