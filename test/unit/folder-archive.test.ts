/** modules/folder-archive.ts: a valid, deterministic zip of a folder, handed to cdktf as a FILE asset. */
import { execFileSync } from 'child_process';
import { Testing, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { folderArchive } from '../../modules/folder-archive';
import { tempDir } from '../helpers';

function handlerFolder(): string {
  const dir = tempDir('archive-src-');
  fs.mkdirSync(path.join(dir, 'lib'));
  fs.writeFileSync(path.join(dir, 'b.js'), 'exports.handler = async () => "b";\n');
  fs.writeFileSync(path.join(dir, 'a.js'), 'exports.handler = async () => "a";\n'.repeat(50));
  fs.writeFileSync(path.join(dir, 'lib', 'util.js'), 'module.exports = 42;\n');
  return dir;
}

const archive = (source: string, cacheDir: string) => folderArchive(new TerraformStack(Testing.app(), 'stack'), 'handlers', { path: source, cacheDir });
/** The zip as built on disk (asset.path is where cdktf will copy it inside the synthesized stack). */
const builtZip = (cacheDir: string): string => {
  const [file, ...more] = (fs.readdirSync(cacheDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.zip'));
  expect(more).toEqual([]);
  return path.join(cacheDir, file);
};

describe('folderArchive', () => {
  it('writes a zip that unzip accepts, with every file in sorted order and its exact content', () => {
    const source = handlerFolder();
    const cache = tempDir('archive-cache-');
    const asset = archive(source, cache);
    const file = builtZip(cache);
    expect(asset.path).toMatch(/handlers\.zip$/);
    expect(execFileSync('unzip', ['-tq', file], { encoding: 'utf8' })).toContain('No errors detected');
    expect(execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n')).toEqual(['a.js', 'b.js', 'lib/util.js']);
    expect(execFileSync('unzip', ['-p', file, 'a.js'], { encoding: 'utf8' })).toBe(fs.readFileSync(path.join(source, 'a.js'), 'utf8'));
    expect(execFileSync('unzip', ['-p', file, 'lib/util.js'], { encoding: 'utf8' })).toBe('module.exports = 42;\n');
  });

  it('is byte-for-byte the same for the same content, whenever and wherever it is built', () => {
    const source = handlerFolder();
    const [cacheA, cacheB] = [tempDir('archive-cache-'), tempDir('archive-cache-')];
    const first = archive(source, cacheA);
    const copy = tempDir('archive-copy-');
    fs.cpSync(source, copy, { recursive: true });
    fs.utimesSync(path.join(copy, 'a.js'), new Date('2030-01-01'), new Date('2030-01-01'));
    const second = archive(copy, cacheB);
    expect(second.assetHash).toBe(first.assetHash);
    expect(fs.readFileSync(builtZip(cacheB)).equals(fs.readFileSync(builtZip(cacheA)))).toBe(true);
  });

  it('changes its hash when a file changes', () => {
    const source = handlerFolder();
    const cache = tempDir('archive-cache-');
    const before = archive(source, cache).assetHash;
    fs.writeFileSync(path.join(source, 'lib', 'util.js'), 'module.exports = 43;\n');
    expect(archive(source, cache).assetHash).not.toBe(before);
  });

  it('refuses an empty folder, naming the asset', () => {
    expect(() => archive(tempDir('archive-empty-'), tempDir('archive-cache-'))).toThrow(/folder archive "handlers": .* has no files/);
  });
});
