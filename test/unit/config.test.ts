import * as fs from 'fs';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { synth } from '../../lib/synth';
import { BaseNetwork } from '../../layers/base-network';
import { BaseTfBackend } from '../../layers/base-tf-backend';
import { Consumer, CycleMember } from '../fixtures/layers';
import { account, build, REAL, refusal, source, tempDir } from '../helpers';

const net = (vpcCidr: string, extra: object = {}, options = {}) =>
  defineLayer(BaseNetwork, { vpcCidr, natGateways: 'single' as const, ...extra }, options);

describe('configuration validation', () => {
  it('accepts a valid organisation', () => {
    const { stacks } = build(source({
      'apps-devstg': { layers: { 'base-tf-backend': defineLayer(BaseTfBackend, {}), 'base-network': net('10.1.0.0/16') } },
    }));
    expect([...stacks.keys()].sort()).toEqual(['test-apps-devstg-base-network', 'test-apps-devstg-base-tf-backend']);
  });

  it('refuses a malformed account id, naming project, account and field', () => {
    expect(refusal(source({ 'apps-prd': { config: account({ id: '12345' }) } })))
      .toContain('test/apps-prd: id: "12345" is not a 12-digit AWS account id');
  });

  it('refuses a missing account id and a duplicated one', () => {
    const missing = refusal(source({ x: { config: { ...account(), id: undefined as unknown as string } } }));
    expect(missing).toContain('test/x: id: "undefined" is not a 12-digit AWS account id');
    const dup = refusal(source({ a: { config: account({ id: '999999999999' }) }, b: { config: account({ id: '999999999999' }) } }));
    expect(dup).toContain('test/b: id: 999999999999 is already the id of account a');
  });

  it('refuses a missing or unknown region', () => {
    expect(refusal(source({}, { primaryRegion: '' }))).toContain('test: primaryRegion: is missing');
    expect(refusal(source({ a: { config: account({ region: 'mars-1' }) } }))).toContain('test/a: region: "mars-1" is not an AWS region');
  });

  it('refuses an AZ that is not in its region', () => {
    const message = refusal(source({}, { availabilityZones: { 'us-east-1': ['us-east-1a', 'us-west-2b', 'us-east-1c'] } }));
    expect(message).toContain('test: availabilityZones.us-east-1[1]: availability zone "us-west-2b" is not in region us-east-1');
  });

  it('refuses overlapping VPC CIDRs between accounts', () => {
    const message = refusal(source({
      'apps-devstg': { layers: { 'base-network': net('10.1.0.0/16') } },
      'apps-prd': { layers: { 'base-network': net('10.1.128.0/17') } },
    }));
    expect(message).toContain('test/apps-prd/base-network: vpcCidr: 10.1.128.0/17 (us-east-1) overlaps 10.1.0.0/16 of apps-devstg/base-network vpcCidr (us-east-1)');
  });

  it('refuses overlapping VPC CIDRs between regions (a DR network reusing the primary range)', () => {
    const message = refusal(source({
      'apps-prd': { layers: { 'base-network': net('10.4.0.0/16'), 'base-network-dr': net('10.4.0.0/16', {}, { region: 'us-west-2' }) } },
    }));
    expect(message).toContain('test/apps-prd/base-network-dr: vpcCidr: 10.4.0.0/16 (us-west-2) overlaps 10.4.0.0/16 of apps-prd/base-network vpcCidr (us-east-1)');
  });

  it('refuses a subnet that does not fit the VPC and subnets that overlap', () => {
    const message = refusal(source({
      a: { layers: { 'base-network': net('10.1.0.0/16', { subnets: { public: ['10.1.0.0/24', '10.2.1.0/24', '10.1.0.128/25'] } }) } },
    }));
    expect(message).toContain('test/a/base-network: subnets.public[1]: 10.2.1.0/24 does not fit in the VPC 10.1.0.0/16');
    expect(message).toContain('test/a/base-network: subnets.public[2]: 10.1.0.128/25 overlaps subnets.public[0] (10.1.0.0/24)');
  });

  it('refuses a layer region without configured AZs and a NAT strategy it does not know', () => {
    const message = refusal(source({
      a: { layers: { 'base-network': net('10.1.0.0/16', { natGateways: 'two' }, { region: 'eu-west-1' }) } },
    }));
    expect(message).toContain('test/a/base-network: region: no availabilityZones configured for region eu-west-1');
    expect(message).toContain('test/a/base-network: natGateways: "two" must be one-per-az, single or none');
  });

  it('refuses a read from an unknown account', () => {
    const message = refusal(source({ a: { layers: { app: defineLayer(Consumer, { networkAccount: 'nope' }) } } }));
    expect(message).toContain('test/a/app: remote(nope/base-network): reads from unknown account "nope"');
  });

  it('refuses a read of a layer nobody declares, and of a disabled layer', () => {
    const undeclared = refusal(source({ a: { layers: { app: defineLayer(Consumer, {}) } } }));
    expect(undeclared).toContain('test/a/app: remote(a/base-network): reads layer "base-network" which account a does not declare');
    const disabled = refusal(source({
      a: { layers: { app: defineLayer(Consumer, {}), 'base-network': net('10.1.0.0/16', {}, { enabled: false }) } },
    }));
    expect(disabled).toContain('test/a/app: remote(a/base-network): depends on layer "base-network" of account a, which is disabled');
  });

  it('refuses reading outputs from a layer whose kind does not publish them', () => {
    const message = refusal(source({
      a: { layers: { app: defineLayer(Consumer, { networkLayer: 'base-tf-backend' }), 'base-tf-backend': defineLayer(BaseTfBackend, {}) } },
    }));
    expect(message).toContain('test/a/app: remote(a/base-tf-backend): layer "base-tf-backend" of account a does not publish the base-network outputs');
  });

  it('refuses a cycle of remote-state reads and prints it', () => {
    const message = refusal(source({
      a: { layers: { one: defineLayer(CycleMember, { reads: 'two' }), two: defineLayer(CycleMember, { reads: 'one' }) } },
    }));
    expect(message).toMatch(/layer dependency cycle: test-a-(one|two) -> test-a-(one|two) -> test-a-(one|two)/);
  });

  it('refuses a layer file that does not export defineLayer()', () => {
    expect(refusal(source({ a: { layers: { junk: { hello: 1 } } } }))).toContain('test/a/junk: default export: must be defineLayer(<LayerClass>, config)');
  });

  it('writes nothing when the configuration is invalid', () => {
    const projects = tempDir('projects-');
    const outdir = tempDir('out-');
    fs.mkdirSync(path.join(projects, 'bad', 'a'), { recursive: true });
    const lib = path.resolve(__dirname, '../../lib/config');
    fs.writeFileSync(path.join(projects, 'bad', 'project.ts'),
      `import { defineProject } from '${lib}';\nexport default defineProject({ name: 'bad', primaryRegion: 'us-east-1', availabilityZones: { 'us-east-1': ['us-east-1a'] } });\n`);
    fs.writeFileSync(path.join(projects, 'bad', 'a', 'account.ts'),
      `import { defineAccount } from '${lib}';\nexport default defineAccount({ id: 'not-an-id', email: 'a@b.example', environment: 'prd' });\n`);
    expect(() => synth({ projectsDir: projects, mode: REAL, outdir })).toThrow(/bad\/a: id: "not-an-id" is not a 12-digit AWS account id/);
    expect(fs.existsSync(path.join(outdir, 'stacks'))).toBe(false);
    expect(fs.existsSync(path.join(outdir, 'layers.json'))).toBe(false);
  });
});
