/**
 * A folder as a zip asset, built in-process. cdktf's own `AssetType.ARCHIVE` spawns a Node process per asset on every
 * synth (about 170 ms each, the largest single cost of a serverless layer's synth; docs/benchmarks.md). This writes a
 * deterministic zip (sorted entries, fixed timestamps) once per folder content and hands it to cdktf as a FILE asset,
 * so the archive, and the Lambda's source_code_hash, change only when a file in the folder does.
 */
import { AssetType, TerraformAsset } from 'cdktf';
import type { Construct } from 'constructs';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';

export interface FolderArchiveProps {
  /** The folder to zip; entries are its files, relative to it, in sorted order. */
  readonly path: string;
  /** Where built archives are kept, by content hash. @default `<os tmpdir>/cdktf-folder-archives` */
  readonly cacheDir?: string;
}

/** A TerraformAsset whose `path` is a zip of the folder's files and whose `assetHash` is the zip's hash. */
export function folderArchive(scope: Construct, id: string, props: FolderArchiveProps): TerraformAsset {
  const files = listFiles(props.path).map((name) => ({ name, data: fs.readFileSync(path.join(props.path, name)) }));
  if (files.length === 0) throw new Error(`folder archive "${id}": ${props.path} has no files`);
  const zip = buildZip(files);
  const digest = crypto.createHash('sha256').update(zip).digest('hex');
  const cacheDir = props.cacheDir ?? path.join(os.tmpdir(), 'cdktf-folder-archives');
  const file = path.join(cacheDir, digest.slice(0, 32), `${id}.zip`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, zip);
    fs.renameSync(partial, file);
  }
  return new TerraformAsset(scope, id, { path: file, type: AssetType.FILE, assetHash: digest });
}

function listFiles(root: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(root, prefix), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const name = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return listFiles(root, name);
      return entry.isFile() ? [name] : [];
    });
}

// 1980-01-01 00:00 in MS-DOS format: the earliest a zip can say, so the bytes never depend on when they were built.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const UNIX_REGULAR_FILE_0644 = (0o100644 << 16) >>> 0;

/**
 * The fields a local file header (from byte 4) and its central directory header (from byte 6) share, in the same
 * layout: version needed, flags, method, time, date, CRC-32, sizes and name length.
 */
function writeEntryFields(header: Buffer, at: number, entry: { crc: number; compressed: number; size: number; nameLength: number }): void {
  header.writeUInt16LE(20, at); // version needed: deflate
  header.writeUInt16LE(0x0800, at + 2); // UTF-8 names
  header.writeUInt16LE(8, at + 4); // deflate
  header.writeUInt16LE(DOS_TIME, at + 6);
  header.writeUInt16LE(DOS_DATE, at + 8);
  header.writeUInt32LE(entry.crc, at + 10);
  header.writeUInt32LE(entry.compressed, at + 14);
  header.writeUInt32LE(entry.size, at + 18);
  header.writeUInt16LE(entry.nameLength, at + 22);
}

/** A zip (PKWARE APPNOTE 6.3, deflate, no zip64: handler folders are small) of the given files. */
function buildZip(files: readonly { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const deflated = zlib.deflateRawSync(data, { level: 9 });
    const entry = { crc: zlib.crc32(data), compressed: deflated.length, size: data.length, nameLength: nameBytes.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeEntryFields(local, 4, entry);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the external attributes are file modes
    writeEntryFields(header, 6, entry);
    header.writeUInt32LE(UNIX_REGULAR_FILE_0644, 38);
    header.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, deflated);
    central.push(header, nameBytes);
    offset += local.length + nameBytes.length + deflated.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}
