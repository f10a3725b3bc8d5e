/**
 * State locks as terraform reports them. Terraform's S3 backend keeps a lock as a DynamoDB item (LockID
 * `<bucket>/<key>`, Info = the JSON below); when it cannot take or release one it prints the same fields as
 * "Lock Info:". Everything here reads terraform's own words, so it works the same for real AWS and the sandbox.
 */

/** Terraform's lock info (statemgr.LockInfo), as stored in the lock table's `Info` attribute. */
export interface LockInfo {
  readonly ID: string;
  readonly Operation: string;
  readonly Who: string;
  readonly Created: string;
  readonly Path?: string;
  readonly Version?: string;
  readonly Info?: string;
}

export const ACQUIRE_FAILED = /Error acquiring the state lock/;
export const RELEASE_FAILED = /Error releasing the state lock/;

/**
 * The "Lock Info:" block terraform prints with a lock error (the holder of the lock it could not take, or the lock
 * it could not release), undefined when there is none.
 */
export function parseLockInfo(output: string): LockInfo | undefined {
  const block = /Lock Info:\n((?:[│ ]*\s+\w+:.*\n?)+)/.exec(output);
  if (!block) return undefined;
  const fields = new Map<string, string>();
  for (const line of block[1].split('\n')) {
    const m = /^[│ ]*\s+(\w+):\s*(.*)$/.exec(line);
    if (m) fields.set(m[1], m[2].trim());
  }
  const id = fields.get('ID');
  if (!id) return undefined;
  return {
    ID: id, Path: fields.get('Path'), Operation: fields.get('Operation') ?? '', Who: fields.get('Who') ?? '',
    Version: fields.get('Version'), Created: fields.get('Created') ?? '', Info: fields.get('Info'),
  };
}

/**
 * The id of a lock terraform could not release: the existing lock's id when terraform printed it (someone else's
 * lock replaced ours), else the id in `lock ID "…"` (its own lock, e.g. the backend went away mid-command).
 */
export function unreleasedLockId(output: string): string | undefined {
  const info = parseLockInfo(output.slice(output.search(RELEASE_FAILED)));
  if (info) return info.ID;
  return /lock ID "([^"]+)"/.exec(output.slice(Math.max(0, output.search(RELEASE_FAILED))))?.[1];
}

/** `root@host since 2026-11-30 13:38:58 UTC (apply, 3e23b01a-…)` */
export function describeHolder(info: LockInfo): string {
  const operation = info.Operation.replace(/^OperationType/, '').toLowerCase() || 'unknown operation';
  const since = info.Created.replace(/\.\d+/, '').replace(/ \+0000 UTC$/, ' UTC').replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)Z$/, '$1 $2 UTC');
  return `${info.Who || 'unknown'} since ${since || 'an unknown time'} (${operation}, ${info.ID})`;
}

/** What to do about a lock left behind: the exact command, and where to run it. */
export function forceUnlockAdvice(id: string, dir: string): string {
  return `run \`terraform force-unlock ${id}\` in ${dir}`;
}

/** Milliseconds of a terraform duration (`5m`, `90s`, `1h30m`, `0s`); throws on anything else. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a duration: "${text}" (e.g. 30s, 5m, 1h)`);
  return parts.reduce((total, [, n, unit]) => total + Number(n) * units[unit], 0);
}

/** The inverse for what terraform accepts: whole seconds. */
export function formatDuration(ms: number): string {
  return `${Math.max(0, Math.ceil(ms / 1000))}s`;
}
