/** modules/folder-archive.ts: a valid, deterministic zip of a folder, handed to cdktf as a FILE asset. */
import { execFileSync } from 'child_process';
import { Testing, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { folderArchive } from '../../modules/folder-archive';
import { tempDir } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = path.join(ROOT, 'scripts', 'register.js');

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

  it('stores every entry as a regular 0644 file made on Unix, dated 1980-01-01 00:00, with no extra fields', () => {
    const cache = tempDir('archive-cache-');
    archive(handlerFolder(), cache);
    // zipinfo -l: permissions, version made by, OS, size, type, compressed size, method, date, time, name
    const lines = execFileSync('zipinfo', ['-l', '-T', builtZip(cache)], { encoding: 'utf8' }).split('\n').filter((l) => /\.js$/.test(l));
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^-rw-r--r-- +2\.0 unx +\d+ b- +\d+ defN 19800101\.000000 \S+$/);
  });

  it('gives the same source_code_hash in another process, another time zone and another time', () => {
    const source = handlerFolder();
    const hashIn = (tz: string): { hash: string; zipHash: string } => JSON.parse(execFileSync(process.execPath, ['-r', REGISTER, '-e', `
      const { Testing, TerraformStack } = require('cdktf');
      const fs = require('fs');
      const crypto = require('crypto');
      const { folderArchive } = require(${JSON.stringify(path.join(ROOT, 'modules', 'folder-archive'))});
      const cacheDir = fs.mkdtempSync(require('path').join(require('os').tmpdir(), 'archive-tz-'));
      const asset = folderArchive(new TerraformStack(Testing.app(), 'stack'), 'handlers', { path: ${JSON.stringify(source)}, cacheDir });
      const zip = fs.readdirSync(cacheDir, { recursive: true }).find((f) => f.endsWith('.zip'));
      const zipHash = crypto.createHash('sha256').update(fs.readFileSync(require('path').join(cacheDir, zip))).digest('hex');
      fs.rmSync(cacheDir, { recursive: true });
      console.log(JSON.stringify({ hash: asset.assetHash, zipHash }));
    `], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TZ: tz } })) as { hash: string; zipHash: string };
    // West of Greenwich a UTC 1980-01-01 would be 1979 locally: the zip epoch must come from local-time parts.
    const west = hashIn('America/Los_Angeles');
    const east = hashIn('Pacific/Kiritimati');
    expect(west.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(west.hash).toBe(west.zipHash);
    expect(east).toEqual(west);
    fs.utimesSync(path.join(source, 'b.js'), new Date('2031-06-01'), new Date('2031-06-01'));
    expect(hashIn('UTC')).toEqual(west);
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
