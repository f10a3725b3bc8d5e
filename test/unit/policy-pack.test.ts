/** The policy pack as wired into synth: the example org is clean, errors stop synth, suppressions need reasons. */
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Testing } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { buildOrganisation, readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { checkStack, enforcePolicy, evaluate, PolicyAspect, PolicyError, RULES, suppress, viewOf, type Rule } from '../../lib/policy';
import { SUPPRESSION_METADATA } from '../../lib/policy/suppress';
import { formatRun, policyMarkdown } from '../../lib/policy/report';
import { synth } from '../../lib/synth';
import { InsecureQueue } from '../fixtures/policy-layers';
import { build, REAL, source, tempDir } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');

function queueOrg(config: ConstructorParameters<typeof InsecureQueue>[2]) {
  return source({ a: { layers: { queue: defineLayer(InsecureQueue, config) } } });
}

/** Writes a project folder whose only layer is an unencrypted queue, for synth() from disk. */
function queueProjectOnDisk(): string {
  const projects = tempDir('policy-projects-');
  fs.mkdirSync(path.join(projects, 'pol', 'a'), { recursive: true });
  const lib = path.join(ROOT, 'lib/config');
  fs.writeFileSync(path.join(projects, 'pol', 'project.ts'),
    `import { defineProject } from '${lib}';\nexport default defineProject({ name: 'pol', primaryRegion: 'us-east-1', availabilityZones: { 'us-east-1': ['us-east-1a'] } });\n`);
  fs.writeFileSync(path.join(projects, 'pol', 'a', 'account.ts'),
    `import { defineAccount } from '${lib}';\nexport default defineAccount({ id: '123456789012', email: 'a@b.example', environment: 'prd' });\n`);
  fs.writeFileSync(path.join(projects, 'pol', 'a', 'queue.ts'),
    `import { defineLayer } from '${lib}';\nimport { InsecureQueue } from '${path.join(ROOT, 'test/fixtures/policy-layers')}';\n` +
    'export default defineLayer(InsecureQueue, {});\n');
  return projects;
}

describe('policy pack', () => {
  it('the example organisation synthesizes with zero policy errors, and every suppression has a reason', () => {
    const app = Testing.app();
    const { stacks } = buildOrganisation(app, resolveOrganisation(readProjectFolder(path.join(ROOT, 'projects/acme')), REAL));
    const reports = stacks.map((s) => checkStack(s));
    const errors = reports.flatMap((r) => r.findings).filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.stack} ${f.address} ${f.ruleId} ${f.message}`)).toEqual([]);
    for (const s of reports.flatMap((r) => r.suppressed)) expect(s.reason.trim().length).toBeGreaterThanOrEqual(10);
    expect(formatRun(reports)).toMatch(/== \d+ stacks: 0 error\(s\)/);
  }, 60_000);

  it('an error finding stops synth before anything is written, naming stack, address, rule and message', () => {
    const projects = queueProjectOnDisk();
    const outdir = tempDir('policy-out-');
    fs.rmSync(outdir, { recursive: true });
    // The cdktf CLI sets this; error annotations alone would then not stop the synth.
    process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = 'true';
    try {
      let error: unknown;
      try {
        synth({ projectsDir: projects, mode: REAL, outdir });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PolicyError);
      expect((error as Error).message).toMatch(/policy pack: 1 error finding in 1 stack\(s\) \(pol-a-queue\); nothing was synthesized/);
      expect((error as Error).message).toMatch(/pol\/a\/queue: aws_sqs_queue\.queue: POL-SQS-001 neither kms_master_key_id nor sqs_managed_sse_enabled/);
    } finally {
      delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    }
    expect(fs.existsSync(path.join(outdir, 'stacks'))).toBe(false);
    expect(fs.existsSync(path.join(outdir, 'layers.json'))).toBe(false);
  });

  it('the per-stack aspect turns findings into annotations, so a plain app.synth() refuses them too', () => {
    const { app, stacks } = build(queueOrg({}));
    const stack = stacks.get('test-a-queue')!;
    expect(() => app.synth()).toThrow(/POL-SQS-001 aws_sqs_queue\.queue: neither kms_master_key_id/);
    expect(stack.node.metadata.some((m) => m.type === '@cdktf/error' && String(m.data).includes('POL-SQS-001'))).toBe(true);
    new PolicyAspect().visit(stack); // idempotent
    expect(stack.node.metadata.filter((m) => m.type === '@cdktf/error')).toHaveLength(1);
  });

  it('a suppression with a reason silences the rule for that resource and is reported', () => {
    for (const onStack of [false, true]) {
      const stack = build(queueOrg({ reason: 'fixture queue holds no data, only wake-up pings', onStack })).stacks.get('test-a-queue')!;
      const report = checkStack(stack);
      expect(report.findings.filter((f) => f.ruleId === 'POL-SQS-001')).toEqual([]);
      expect(report.suppressed).toEqual([expect.objectContaining({
        ruleId: 'POL-SQS-001', address: 'aws_sqs_queue.queue', reason: 'fixture queue holds no data, only wake-up pings',
        suppressedAt: onStack ? 'test-a-queue' : 'test-a-queue/queue',
      })]);
      expect(formatRun([report])).toContain('POL-SQS-001 aws_sqs_queue.queue (at test-a-queue');
    }
  });

  it('a suppression without a real reason, or of an unknown rule, is refused', () => {
    expect(() => build(queueOrg({ reason: '' }))).toThrow(PolicyError);
    expect(() => build(queueOrg({ reason: '   ' }))).toThrow(/test\/a\/queue: test-a-queue\/queue: suppression of POL-SQS-001 has no reason/);
    expect(() => build(queueOrg({ reason: 'ok' }))).toThrow(/has no real reason \("ok"\)/);
    const stack = build(queueOrg({ reason: 'fixture queue holds no data, only wake-up pings' })).stacks.get('test-a-queue')!;
    expect(() => suppress(stack, 'POL-NOPE-001', 'a reason long enough')).toThrow(/suppression of unknown rule "POL-NOPE-001"/);
  });

  it('a reasonless suppression written straight into metadata is itself an error finding; stale ones are reported', () => {
    const { stacks } = build(queueOrg({}));
    const stack = stacks.get('test-a-queue')!;
    stack.node.addMetadata(SUPPRESSION_METADATA, { ruleId: 'POL-SQS-001', reason: '' });
    stack.node.addMetadata(SUPPRESSION_METADATA, { ruleId: 'POL-KMS-001', reason: 'there is no key in this stack at all' });
    const report = checkStack(stack);
    expect(report.findings.map((f) => f.ruleId).sort()).toEqual(['POL-SQS-001', 'POL-SUPPRESSION']);
    expect(report.unused).toEqual([expect.objectContaining({ ruleId: 'POL-KMS-001', path: 'test-a-queue' })]);
  });

  it('warnings do not stop synth but are printed', () => {
    const stack = build(queueOrg({ reason: 'fixture queue holds no data, only wake-up pings' })).stacks.get('test-a-queue')!;
    new CloudwatchLogGroup(stack, 'logs', { name: '/fixture', kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/x' });
    const lines: string[] = [];
    const reports = enforcePolicy([stack], (l) => lines.push(l));
    expect(reports[0].findings.map((f) => f.ruleId)).toEqual(['POL-LOG-002']);
    expect(lines).toEqual(['policy: WARN  test-a-queue: aws_cloudwatch_log_group.logs: POL-LOG-002 retention_in_days is not set (logs kept forever)']);
  });

  it('a rule that crashes on an unexpected shape fails closed with a finding', () => {
    const view = viewOf('raw', { resource: { aws_sqs_queue: { q: { name: 'jobs' } } } }, { environment: 'prd' });
    const crashing: Rule = { id: 'POL-TEST-001', title: 'crashes', description: 'crashes', severity: 'error', resourceTypes: ['aws_sqs_queue'],
      check: () => { throw new Error('boom'); } };
    expect(evaluate(view, [crashing]).findings).toEqual([expect.objectContaining({ address: 'aws_sqs_queue.q', message: expect.stringMatching(/could not evaluate.*boom/) })]);
    // A stack without backend block is the local backend, which only a bootstrapping stack may use.
    expect(evaluate(view, RULES.filter((r) => r.id === 'POL-TF-001')).findings.map((f) => f.address)).toEqual(['terraform.backend.local']);
  });

  it('docs/policy.md is generated from the current rules (regenerate with scripts/policy.ts --write-doc)', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/policy.md'), 'utf8');
    expect(doc).toBe(policyMarkdown() + '\n');
    for (const rule of RULES) expect(doc).toContain(`| ${rule.id} |`);
  });
});
