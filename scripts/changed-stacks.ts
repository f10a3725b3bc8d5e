/** changed-stacks.ts <base-outdir> <head-outdir>: prints the comma-separated stack ids whose cdk.tf.json differ (CI). */
import { changedStacks } from './lib/ci-files';

const [base, head] = process.argv.slice(2);
if (!base || !head) {
  console.error('usage: changed-stacks.ts <base cdktf.out> <head cdktf.out>');
  process.exit(2);
}
console.log(changedStacks(base, head).join(','));
