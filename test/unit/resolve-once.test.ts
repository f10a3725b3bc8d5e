/**
 * lib/resolve-once.ts: one resolution per stack, cdktf's cross-stack preparation pass skipped, and a reference from one
 * stack to another's construct refused instead of silently wired through hidden outputs.
 */
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { CrossStackReferenceError, resolveOnce } from '../../lib/resolve-once';
import { tempDir } from '../helpers';

function stackWithBucket(app: App, id: string): { stack: TerraformStack; bucket: S3Bucket } {
  const stack = new TerraformStack(app, id);
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new S3Backend(stack, { bucket: 'state', key: `${id}.tfstate`, region: 'us-east-1' });
  return { stack, bucket: new S3Bucket(stack, 'bucket', { bucket: `${id}-bucket` }) };
}

describe('resolveOnce', () => {
  it('refuses a reference to a construct of another stack, naming both stacks and the reference', () => {
    const app = new App({ outdir: tempDir('resolve-once-') });
    const a = stackWithBucket(app, 'layer-a');
    const b = stackWithBucket(app, 'layer-b');
    new TerraformOutput(b.stack, 'other_bucket', { value: a.bucket.arn });
    resolveOnce(a.stack);
    resolveOnce(b.stack);
    expect(() => app.synth()).toThrow(CrossStackReferenceError);
    expect(() => b.stack.toTerraform()).toThrow('layer-b refers to aws_s3_bucket.bucket.arn of layer-a: a layer reads another layer only through its contract (this.remote(...)), never by a reference to its constructs');
  });

  it('writes what cdktf writes for stacks without cross-stack references, and adds no outputs or remote state', () => {
    const written = (once: boolean): string => {
      const outdir = tempDir('resolve-once-');
      const app = new App({ outdir });
      const a = stackWithBucket(app, 'layer-a');
      new TerraformOutput(a.stack, 'bucket_arn', { value: a.bucket.arn });
      if (once) resolveOnce(a.stack);
      app.synth();
      return fs.readFileSync(path.join(outdir, 'stacks', 'layer-a', 'cdk.tf.json'), 'utf8');
    };
    const json = written(true);
    expect(json).toBe(written(false));
    expect(Object.keys(JSON.parse(json).output)).toEqual(['bucket_arn']);
    expect(JSON.parse(json).data).toBeUndefined();
  });
});
