/**
 * changed-stacks.ts [--accounts] <base-outdir> <head-outdir>: prints the comma-separated stack ids whose cdk.tf.json
 * differ (CI), or with --accounts the JSON list of their accounts (from the head's layers.json): one plan job each.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { GraphNode } from '../lib/graph';
import { GRAPH_FILE } from '../lib/synth';
import { parseCommandLine, runScript, UsageError } from '../lib/usage';
import { changedStacks } from './lib/ci-files';

const USAGE = 'usage: changed-stacks.ts [--accounts] <base cdktf.out> <head cdktf.out>';

function main(argv: readonly string[]): number {
  const { values, positionals } = parseCommandLine(argv, { options: { accounts: { type: 'boolean' } }, positionals: true });
  if (positionals.length !== 2) throw new UsageError(`expected two synth output folders, got ${positionals.length}`);
  const [base, head] = positionals;
  const changed = changedStacks(base, head);
  if (!values.accounts) {
    console.log(changed.join(','));
  } else {
    const graph = (JSON.parse(fs.readFileSync(path.join(head, GRAPH_FILE), 'utf8')) as { stacks: GraphNode[] }).stacks;
    console.log(JSON.stringify([...new Set(graph.filter((n) => changed.includes(n.id)).map((n) => n.account))]));
  }
  return 0;
}

runScript('changed-stacks', USAGE, () => main(process.argv.slice(2)));
