/**
 * The ALB module's access logs: the log bucket policy is derived from the load balancers attached to it (every prefix
 * they write under, for both ELB delivery principals), and each load balancer waits for that policy.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { Alb, AlbAccessLogBucket, type AlbAccessLogBucketProps } from '../../modules/alb';
import { parsed, resources } from '../helpers';

const CERT = 'arn:aws:acm:us-east-1:555555555555:certificate/0d2c5e1a-1111-4a2b-9c3d-000000000001';
const ACCOUNT = '555555555555';

interface Attached { readonly id: string; readonly prefix?: string; readonly byName?: boolean }

function synth(albs: readonly Attached[], bucket: Partial<AlbAccessLogBucketProps> = {}, region = 'us-east-1'): string {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'alb');
  new AwsProvider(stack, 'aws', { region });
  const logs = new AlbAccessLogBucket(stack, 'logs', { bucketName: 'acme-test-alb-logs-555555555555', accountId: ACCOUNT, region, ...bucket });
  for (const a of albs) {
    new Alb(stack, a.id, {
      name: `acme-test-${a.id}`,
      vpcId: 'vpc-1',
      subnetIds: ['subnet-1', 'subnet-2'],
      internal: false,
      certificateArn: CERT,
      accessLogs: { bucket: a.byName ? logs.bucketName : logs, prefix: a.prefix },
    });
  }
  return Testing.synth(stack);
}

interface Statement { Sid?: string; Effect: string; Principal: unknown; Action: unknown; Resource: string | string[] }

function writers(tf: string): Statement[] {
  const [policy] = resources(tf, 'aws_s3_bucket_policy');
  return (JSON.parse(policy.policy as string) as { Statement: Statement[] }).Statement.filter((s) => s.Effect === 'Allow');
}

const objects = (s: Statement) => [s.Resource].flat();

describe('ALB access logs (modules/alb.ts)', () => {
  it('admits every prefix the attached load balancers write under, for the service principal and the region\'s ELB account', () => {
    const tf = synth([{ id: 'web', prefix: 'alb/web' }, { id: 'app', prefix: 'alb/app' }]);
    const statements = writers(tf);
    expect(statements.map((s) => s.Principal)).toEqual([
      { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
      { AWS: 'arn:aws:iam::127311923021:root' },
    ]);
    for (const s of statements) {
      expect(s.Action).toBe('s3:PutObject');
      expect(objects(s)).toHaveLength(2);
      expect(objects(s)[0]).toMatch(/^\$\{aws_s3_bucket\.logs_bucket_[A-Z0-9]+\.arn\}\/alb\/app\/AWSLogs\/555555555555\/\*$/);
      expect(objects(s)[1]).toMatch(/\/alb\/web\/AWSLogs\/555555555555\/\*$/);
    }
    // Only the prefixes in use: nothing is written under the default `alb/` here.
    expect(JSON.stringify(statements)).not.toMatch(/\/alb\/AWSLogs\//);
    const lbs = resources(tf, 'aws_lb');
    expect(lbs.map((lb) => (lb.access_logs as { prefix: string }).prefix).sort()).toEqual(['alb/app', 'alb/web']);
  });

  it('makes every attached load balancer wait for the bucket policy (ELB checks it when logging is switched on)', () => {
    const tf = synth([{ id: 'web' }, { id: 'app', prefix: 'alb/app' }]);
    const policyKey = Object.keys(parsed(tf).resource.aws_s3_bucket_policy)[0];
    for (const lb of resources(tf, 'aws_lb')) expect(lb.depends_on).toEqual([`aws_s3_bucket_policy.${policyKey}`]);
  });

  it('uses the bucket\'s prefix for a load balancer without one, and the service principal alone in a region without an ELB account', () => {
    const tf = synth([{ id: 'web' }], {}, 'ap-southeast-5');
    const [lb] = resources(tf, 'aws_lb');
    expect(lb.access_logs).toMatchObject({ enabled: true, prefix: 'alb', bucket: expect.stringMatching(/^\$\{aws_s3_bucket\.logs_bucket_[A-Z0-9]+\.bucket\}$/) });
    const statements = writers(tf);
    expect(statements).toHaveLength(1);
    expect(statements[0].Principal).toEqual({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' });
    expect(statements[0].Resource).toMatch(/\/alb\/AWSLogs\/555555555555\/\*$/);
  });

  it('admits the configured prefix for load balancers given only the bucket name', () => {
    const tf = synth([{ id: 'web', prefix: 'alb', byName: true }], { prefix: 'alb' });
    expect(writers(tf)[0].Resource).toMatch(/\/alb\/AWSLogs\/555555555555\/\*$/);
    expect(resources(tf, 'aws_lb')[0].depends_on).toBeUndefined();
  });

  it('protects a load balancer from deletion unless told otherwise (protect, the project\'s one name)', () => {
    expect(resources(synth([{ id: 'web' }]), 'aws_lb')[0].enable_deletion_protection).toBe(true);
    const app = Testing.app();
    const stack = new TerraformStack(app, 'alb');
    new Alb(stack, 'lb', { name: 'acme-test-lb', vpcId: 'vpc-1', subnetIds: ['subnet-1'], internal: true, protect: false });
    expect(resources(Testing.synth(stack), 'aws_lb')[0].enable_deletion_protection).toBe(false);
  });

  it('refuses a bucket nobody logs to and prefixes ELB refuses', () => {
    expect(() => synth([])).toThrow(/no load balancer logs here/);
    expect(() => synth([{ id: 'web', prefix: 'alb/AWSLogs' }])).toThrow(/web: accessLogs.prefix: "alb\/AWSLogs" must not contain AWSLogs/);
    expect(() => synth([{ id: 'web', prefix: 'alb/' }])).toThrow(/must not start or end with \//);
    expect(() => synth([{ id: 'web' }], { prefix: '/alb' })).toThrow(/logs: prefix "\/alb" must not start or end with \//);
  });
});
