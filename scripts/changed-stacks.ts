/**
 * changed-stacks.ts [--accounts] <base-outdir> <head-outdir>: prints the comma-separated stack ids whose cdk.tf.json
 * differ (CI), or with --accounts the JSON list of their accounts (from the head's layers.json): one plan job each.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { GraphNode } from '../lib/graph';
import { GRAPH_FILE } from '../lib/synth';
import { changedStacks } from './lib/ci-files';

const args = process.argv.slice(2);
const accounts = args[0] === '--accounts';
const [base, head] = accounts ? args.slice(1) : args;
if (!base || !head) {
  console.error('usage: changed-stacks.ts [--accounts] <base cdktf.out> <head cdktf.out>');
  process.exit(2);
}
const changed = changedStacks(base, head);
if (!accounts) {
  console.log(changed.join(','));
} else {
  const graph = (JSON.parse(fs.readFileSync(path.join(head, GRAPH_FILE), 'utf8')) as { stacks: GraphNode[] }).stacks;
  console.log(JSON.stringify([...new Set(graph.filter((n) => changed.includes(n.id)).map((n) => n.account))]));
}
