/**
 * The worked example organisation as a whole: every enabled layer of every account, real and sandbox synth. Accounts
 * and layers are read from projects/acme, never listed here, so adding an account (make new-account) needs no edit.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { LayerDeclaration } from '../../lib/config';
import { readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { synth } from '../../lib/synth';
import { REAL, SANDBOX, tempDir } from '../helpers';

const PROJECTS = path.resolve(__dirname, '../../projects');

/** The parts of a synthesized stack these tests read; JSON of any other shape is a bug they report. */
interface StackJson {
  terraform: { backend: { s3: Record<string, unknown> } };
  provider: { aws: { allowed_account_ids?: string[]; assume_role?: { role_arn: string }[]; default_tags: { tags: Record<string, string> }[] }[] };
  data?: { terraform_remote_state?: Record<string, { config: { endpoints: { s3: string } } }> };
}

function synthesized(mode: typeof REAL): Map<string, { account: string; layer: string; raw: string; json: StackJson }> {
  const outdir = tempDir('example-');
  const result = synth({ projectsDir: PROJECTS, mode, outdir, project: 'acme' });
  return new Map(result.graph.map((node) => {
    const raw = fs.readFileSync(path.join(outdir, 'stacks', node.id, 'cdk.tf.json'), 'utf8');
    return [node.id, { account: node.account, layer: node.layer, raw, json: JSON.parse(raw) as StackJson }];
  }));
}

describe('example organisation acme', () => {
  const real = synthesized(REAL);
  const sandbox = synthesized(SANDBOX);
  const source = readProjectFolder(path.join(PROJECTS, 'acme'));
  const org = resolveOrganisation(source, REAL);

  it('synthesizes exactly the enabled layer files of every account, each account with its state backend layer', () => {
    const files = Object.entries(source.accounts).flatMap(([account, { layers }]) =>
      Object.entries(layers).filter(([, d]) => (d as LayerDeclaration).enabled).map(([layer]) => `acme-${account}-${layer}`));
    expect([...real.keys()].sort()).toEqual(files.sort());
    expect([...sandbox.keys()].sort()).toEqual(files.sort());
    for (const account of Object.keys(source.accounts)) expect(real.get(`acme-${account}-base-tf-backend`)?.layer).toBe('base-tf-backend');
  });

  it('derives every state key from account and layer, in that account bucket, encrypted and locked', () => {
    for (const { account, layer, json } of real.values()) {
      expect(json.terraform.backend.s3).toMatchObject({
        bucket: `acme-${account}-terraform-backend`,
        key: `${account}/${layer}/terraform.tfstate`,
        encrypt: true,
        dynamodb_table: `acme-${account}-terraform-backend`,
      });
    }
  });

  it('pins every provider of a real synth to its account through the deploy role, and tags everything', () => {
    for (const { account, json } of real.values()) {
      const { id, deployRoleName } = org.accounts.get(account)!;
      for (const provider of json.provider.aws) {
        expect(provider.allowed_account_ids).toEqual([id]);
        expect(provider.assume_role![0].role_arn).toBe(`arn:aws:iam::${id}:role/${deployRoleName}`);
        expect(Object.keys(provider.default_tags[0].tags)).toEqual(expect.arrayContaining(['Project', 'Account', 'Environment', 'Layer', 'ManagedBy']));
      }
    }
  });

  it('contains no sandbox endpoint, dummy key or skip flag in a real synth', () => {
    for (const [id, { raw }] of real) {
      // (a Cognito callback may legitimately name http://localhost; sandbox endpoints are always 127.0.0.1)
      for (const marker of ['127.0.0.1', 'S3RVER', '"sandbox"', '"access_key"', '"endpoints"', 'skip_credentials_validation', 'use_path_style']) {
        if (raw.includes(marker)) throw new Error(`${id} contains ${marker}`);
      }
    }
  });

  it('contains no assume_role or allowed_account_ids in a sandbox synth (both need STS)', () => {
    for (const [id, { json }] of sandbox) {
      expect(json.terraform.backend.s3.assume_role).toBeUndefined();
      for (const provider of json.provider.aws) {
        if (provider.assume_role || provider.allowed_account_ids) throw new Error(`${id} provider would call STS`);
      }
      for (const state of Object.values(json.data?.terraform_remote_state ?? {})) {
        expect(state.config.endpoints.s3).toMatch(/^http:\/\/127\.0\.0\.1:/);
      }
    }
  });

  it('never calls AWS from a data source (offline plans)', () => {
    const forbidden = ['aws_caller_identity', 'aws_availability_zones', 'aws_region', 'aws_ami', 'aws_route53_zone', 'aws_eks_addon_version', 'aws_iam_session_context', 'aws_ssoadmin_instances'];
    for (const [id, { json }] of real) {
      for (const type of Object.keys(json.data ?? {})) {
        if (forbidden.includes(type)) throw new Error(`${id} uses data source ${type}, which calls AWS`);
      }
    }
  });
});
