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
  resource?: Record<string, Record<string, Record<string, unknown>>>;
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
      // the bucket name is global across AWS customers: it ends with the account id; the lock table is per account
      expect(json.terraform.backend.s3).toMatchObject({
        bucket: `acme-${account}-terraform-backend-${json.provider.aws[0].allowed_account_ids![0]}`,
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

  describe('DNS names (Route 53 allows one routing policy per name and type)', () => {
    /** Every record of the real synth: owning stack, zone reference, name (zone_name outputs resolved), type, policy. */
    const records = [...real].flatMap(([id, { json }]) => Object.values(json.resource?.aws_route53_record ?? {}).map((r) => ({
      id,
      zone: String(r.zone_id),
      name: String(r.name),
      type: String(r.type),
      routing: r.failover_routing_policy ? `failover-${(r.failover_routing_policy as { type: string }).type}` : 'simple',
      setIdentifier: r.set_identifier as string | undefined,
      healthCheck: r.health_check_id as string | undefined,
      alias: r.alias as { name: string; evaluate_target_health: boolean } | undefined,
    })));
    const plain = records.filter((r) => !r.name.includes('domain_validation_options'));
    /** The zone a record is written to: a dns-zone or dns layer of an account, from its remote-state reference. */
    const zoneOf = (zone: string) => /remote-([a-z-]+?)-(dns-zone|dns)\.outputs/.exec(zone)?.slice(1, 3).join('/') ?? zone;

    it('gives each name and type of a zone one owning layer and one routing policy', () => {
      const owners = new Map<string, Set<string>>();
      const policies = new Map<string, Set<string>>();
      for (const r of plain) {
        const key = `${zoneOf(r.zone)} ${r.name} ${r.type}`;
        owners.set(key, new Set([...(owners.get(key) ?? []), r.id]));
        policies.set(key, new Set([...(policies.get(key) ?? []), r.routing.replace(/-(PRIMARY|SECONDARY)$/, '')]));
      }
      const shared = [...owners].filter(([, ids]) => ids.size > 1).map(([key, ids]) => `${key}: ${[...ids].join(', ')}`);
      expect(shared).toEqual([]);
      expect([...policies].filter(([, p]) => p.size > 1)).toEqual([]);
    });

    it('validates each certificate name of an account in one layer (ACM uses one CNAME per name and account)', () => {
      const validated = new Map<string, Set<string>>();
      for (const r of records.filter((x) => x.name.includes('domain_validation_options'))) {
        const name = /\["([^"]+)"\]\.resource_record_name/.exec(r.name)![1];
        const account = /^acme-(management|security|shared|network|apps-devstg|apps-prd|data-science)-/.exec(r.id)![1];
        const key = `${account} ${name}`;
        validated.set(key, new Set([...(validated.get(key) ?? []), r.id]));
      }
      expect([...validated].filter(([, ids]) => ids.size > 1)).toEqual([]);
      expect(validated.get('apps-prd origin.prd.acme.example.com')).toEqual(new Set(['acme-apps-prd-dr']));
      expect(validated.get('apps-prd app.prd.acme.example.com')).toEqual(new Set(['acme-apps-prd-cdn']));
    });

    it('keeps app.prd on CloudFront and fails over the origin name CloudFront uses for /app/*', () => {
      const named = (name: string) => plain.filter((r) => r.name === name);
      expect(named('app.prd.acme.example.com').map((r) => [r.id, r.type, r.routing, r.alias?.name])).toEqual([
        ['acme-apps-prd-cdn', 'A', 'simple', '${aws_cloudfront_distribution.distribution.domain_name}'],
        ['acme-apps-prd-cdn', 'AAAA', 'simple', '${aws_cloudfront_distribution.distribution.domain_name}'],
      ]);
      const failover = named('origin.prd.acme.example.com');
      expect(failover.map((r) => [r.id, r.type, r.routing, r.setIdentifier])).toEqual([
        ['acme-apps-prd-dr', 'A', 'failover-PRIMARY', 'primary-us-east-1'],
        ['acme-apps-prd-dr', 'A', 'failover-SECONDARY', 'secondary-us-west-2'],
      ]);
      expect(failover[0].healthCheck).toMatch(/aws_route53_health_check/);
      expect(failover[0].alias).toMatchObject({ name: '${data.terraform_remote_state.remote-apps-prd-multi-tier.outputs.web_alb_dns_name}', evaluate_target_health: true });
      const cdn = real.get('acme-apps-prd-cdn')!.json.resource!.aws_cloudfront_distribution.distribution as { origin: { origin_id: string; domain_name: string }[] };
      expect(cdn.origin.map((o) => [o.origin_id, o.domain_name])).toEqual(expect.arrayContaining([
        ['app-origin', 'origin.prd.acme.example.com'],
        ['api-origin', 'api.prd.acme.example.com'],
      ]));
    });
  });
});
