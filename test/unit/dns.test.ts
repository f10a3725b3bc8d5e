import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Route53VpcAssociationAuthorization } from '@cdktf/provider-aws/lib/route53-vpc-association-authorization';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { defineLayer } from '../../lib/config';
import { BaseNetwork } from '../../layers/base-network';
import { Dns, type DnsConfig } from '../../layers/dns';
import { DnsAssociation, type DnsAssociationConfig } from '../../layers/dns-association';
import { declaredZoneName, DnsZone, type DnsZoneConfig } from '../../layers/dns-zone';
import { account, build, parsed, resources, source, synthStack } from '../helpers';

const network = (cidr: string) => defineLayer(BaseNetwork, { vpcCidr: cidr, natGateways: 'none' });

function org(dns: Partial<DnsConfig> = {}, zones: { prd?: string; devstg?: string } = {}, prdZone: Partial<DnsZoneConfig> = {}) {
  return source({
    shared: {
      config: account({ id: '333333333333', environment: 'shared' }),
      layers: {
        'base-network': network('10.10.0.0/16'),
        dns: defineLayer(Dns, {
          publicZones: [{ name: 'acme.example.com', delegations: [{ account: 'apps-devstg' }, { account: 'apps-prd' }] }],
          ...dns,
        }),
      },
    },
    'apps-devstg': {
      config: account({ id: '555555555555', environment: 'devstg' }),
      layers: { 'base-network': network('10.30.0.0/16'), 'dns-zone': defineLayer(DnsZone, { zoneName: zones.devstg ?? 'devstg.acme.example.com' }) },
    },
    'apps-prd': {
      config: account({ id: '666666666666', environment: 'prd' }),
      layers: { 'base-network': network('10.40.0.0/16'), 'dns-zone': defineLayer(DnsZone, { zoneName: zones.prd ?? 'prd.acme.example.com', ...prdZone }) },
    },
  });
}

describe('dns-zone', () => {
  it('creates the sub-zone, protected from destroy, and publishes its name servers', () => {
    const tf = synthStack(org(), 'test-apps-prd-dns-zone');
    expect(tf).toHaveResourceWithProperties(Route53Zone, { name: 'prd.acme.example.com', force_destroy: false, lifecycle: { prevent_destroy: true } });
    const out = parsed(tf).output!;
    expect(out.name_servers.value).toBe('${aws_route53_zone.zone.name_servers}');
    expect(out.zone_id.value).toBe('${aws_route53_zone.zone.zone_id}');
    expect(parsed(tf).data).toBeUndefined();
  });

  it('is protected by protect, the one name of the flag; the old name preventDestroy is refused, not ignored', () => {
    const unprotected = synthStack(org({}, {}, { protect: false }), 'test-apps-prd-dns-zone');
    expect(resources(unprotected, 'aws_route53_zone')[0].lifecycle).toEqual({ prevent_destroy: false });
    const renamed = { preventDestroy: false } as unknown as Partial<DnsZoneConfig>;
    expect(() => build(org({}, {}, renamed))).toThrow(/apps-prd\/dns-zone: preventDestroy: was renamed to protect; rename it \(preventDestroy is no longer read\)/);
  });

  it('tells other layers its zone name through facts, from its declaration in the account', () => {
    expect(DnsZone.facts({ zoneName: 'prd.acme.example.com', comment: 'x' })).toEqual({ zoneName: 'prd.acme.example.com' });
    const { stacks } = build(org());
    const ctx = stacks.get('test-apps-prd-dns-zone')!.ctx;
    expect(declaredZoneName(ctx)).toBe('prd.acme.example.com');
    expect(declaredZoneName(ctx, 'base-network')).toBeUndefined();
    expect(declaredZoneName(ctx, 'missing')).toBeUndefined();
  });

  it('refuses a malformed zone name', () => {
    expect(() => build(org({}, { prd: 'Prd.acme.example.com' }))).toThrow(/apps-prd\/dns-zone: zoneName: "Prd.acme.example.com" must be lowercase/);
    expect(() => build(org({}, { prd: 'prd.acme.example.com.' }))).toThrow(/must not end with a dot/);
  });
});

describe('dns (shared)', () => {
  const tf = () => synthStack(org(), 'test-shared-dns');

  it('writes NS delegations named after each sub-zone and pointing at its published name servers', () => {
    const json = tf();
    expect(json).toHaveResourceWithProperties(Route53Record, {
      name: 'prd.acme.example.com',
      type: 'NS',
      ttl: 3600,
      zone_id: '${aws_route53_zone.public-0.zone_id}',
      records: '${data.terraform_remote_state.remote-apps-prd-dns-zone.outputs.name_servers}',
    });
    expect(json).toHaveResourceWithProperties(Route53Record, {
      name: 'devstg.acme.example.com',
      records: '${data.terraform_remote_state.remote-apps-devstg-dns-zone.outputs.name_servers}',
    });
    // The remote state is the producer's own state object in its account's bucket.
    const remote = parsed(json).data!.terraform_remote_state['remote-apps-prd-dns-zone'] as { config: Record<string, unknown> };
    expect(remote.config).toMatchObject({ bucket: 'test-apps-prd-terraform-backend-666666666666', key: 'apps-prd/dns-zone/terraform.tfstate' });
  });

  it('never looks zones up in AWS', () => {
    expect(Object.keys(parsed(tf()).data ?? {})).toEqual(['terraform_remote_state']);
  });

  it('publishes the parent zone id and name servers', () => {
    const out = parsed(tf()).output!;
    expect(out.zone_id.value).toBe('${aws_route53_zone.public-0.zone_id}');
    expect(out.name_servers.value).toBe('${aws_route53_zone.public-0.name_servers}');
    expect(out.delegated_zone_names.value).toEqual(['devstg.acme.example.com', 'prd.acme.example.com']);
  });

  it('has no cycle: dns reads dns-zone, dns-zone reads nothing', () => {
    const { stacks } = build(org());
    expect([...stacks.get('test-shared-dns')!.reads.keys()].sort()).toEqual(['apps-devstg/dns-zone', 'apps-prd/dns-zone']);
    expect(stacks.get('test-apps-prd-dns-zone')!.reads.size).toBe(0);
  });

  it('refuses a sub-zone that is not under its parent zone', () => {
    expect(() => build(org({}, { prd: 'prd.other.example.org' }))).toThrow(
      /shared\/dns: publicZones\[0\]\.delegations\[1\]: sub-zone prd\.other\.example\.org of apps-prd\/dns-zone is not under its parent zone acme\.example\.com/,
    );
    // A zone is not under itself either.
    expect(() => build(org({}, { prd: 'acme.example.com' }))).toThrow(/is not under its parent zone/);
  });

  it('refuses a delegation to an account without a dns-zone layer, and a sub-zone delegated twice', () => {
    expect(() => build(org({ publicZones: [{ name: 'acme.example.com', delegations: [{ account: 'nope' }] }] }))).toThrow(
      /delegations\[0\]: unknown account "nope"/,
    );
    expect(() => build(org({ publicZones: [{ name: 'acme.example.com', delegations: [{ account: 'apps-prd', layer: 'base-network' }] }] }))).toThrow(
      /layer apps-prd\/base-network is not a dns-zone layer/,
    );
    expect(() => build(org({ publicZones: [{ name: 'acme.example.com', delegations: [{ account: 'apps-prd' }, { account: 'apps-prd' }] }] }))).toThrow(
      /sub-zone prd\.acme\.example\.com is already delegated/,
    );
  });

  it('associates private zones with VPCs from base-network state and authorizes VPCs of other accounts', () => {
    const json = synthStack(org({ privateZones: [{ name: 'acme.internal', vpcs: [{}, { account: 'apps-prd' }] }] }), 'test-shared-dns');
    expect(json).toHaveResourceWithProperties(Route53Zone, {
      name: 'acme.internal',
      vpc: [{ vpc_id: '${data.terraform_remote_state.remote-shared-base-network.outputs.vpc_id}', vpc_region: 'us-east-1' }],
      lifecycle: { ignore_changes: ['vpc'], prevent_destroy: true },
    });
    expect(json).toHaveResourceWithProperties(Route53VpcAssociationAuthorization, {
      zone_id: '${aws_route53_zone.private-0.zone_id}',
      vpc_id: '${data.terraform_remote_state.remote-apps-prd-base-network.outputs.vpc_id}',
    });
    // Only local VPCs: no ignore_changes, no authorization.
    const local = synthStack(org({ privateZones: [{ name: 'acme.internal', vpcs: [{}] }] }), 'test-shared-dns');
    expect(resources(local, 'aws_route53_vpc_association_authorization')).toHaveLength(0);
    expect(resources(local, 'aws_route53_zone').find((z) => z.name === 'acme.internal')!.lifecycle).toEqual({ prevent_destroy: true });
  });

  it('refuses a private zone without a VPC of its own account', () => {
    expect(() => build(org({ privateZones: [{ name: 'acme.internal', vpcs: [{ account: 'apps-prd' }] }] }))).toThrow(
      /privateZones\[0\]\.vpcs: needs at least one VPC of this account \(shared\)/,
    );
  });
});

describe('dns-association (VPC accounts)', () => {
  const PRIVATE: DnsConfig['privateZones'] = [
    { name: 'tools.internal', vpcs: [{}] },
    { name: 'acme.internal', vpcs: [{}, { account: 'apps-prd' }, { account: 'apps-devstg' }] },
  ];
  /** The org of this file with private zones in shared/dns and a dns-association layer in apps-prd. */
  function withAssociation(config: DnsAssociationConfig = {}, privateZones: DnsConfig['privateZones'] = PRIVATE) {
    const base = org({ privateZones });
    const prd = base.accounts['apps-prd'];
    return { ...base, accounts: { ...base.accounts, 'apps-prd': { ...prd, layers: { ...prd.layers, 'dns-association': defineLayer(DnsAssociation, config) } } } };
  }

  it('associates the VPC with every zone that authorises it, reading the zone id from the dns layer after the authorisation', () => {
    const json = synthStack(withAssociation(), 'test-apps-prd-dns-association');
    const associations = resources(json, 'aws_route53_zone_association');
    // Only acme.internal lists apps-prd; its id is the second of private_zone_ids (config order).
    expect(associations).toEqual([expect.objectContaining({
      zone_id: '${element(data.terraform_remote_state.remote-shared-dns.outputs.private_zone_ids, 1)}',
      vpc_id: '${data.terraform_remote_state.remote-apps-prd-base-network.outputs.vpc_id}',
      vpc_region: 'us-east-1',
    })]);
    expect(parsed(json).output!.zone_names.value).toEqual(['acme.internal']);
    expect(Object.keys(parsed(json).data ?? {})).toEqual(['terraform_remote_state']);
  });

  it('runs after dns, which runs after base-network: no cycle', () => {
    const { stacks } = build(withAssociation());
    expect([...stacks.get('test-apps-prd-dns-association')!.reads.keys()].sort()).toEqual(['apps-prd/base-network', 'shared/dns']);
    expect([...stacks.get('test-shared-dns')!.reads.keys()]).toContain('apps-prd/base-network');
    expect([...stacks.get('test-shared-dns')!.reads.keys()]).not.toContain('apps-prd/dns-association');
  });

  it('refuses a zone that does not authorise this VPC, an unknown zone, and a dns layer in its own account', () => {
    expect(() => build(withAssociation({ zones: ['tools.internal'] }))).toThrow(
      /apps-prd\/dns-association: zones\[0\]: private zone tools\.internal of shared\/dns does not list the VPC of apps-prd\/base-network in its vpcs/,
    );
    expect(() => build(withAssociation({ zones: ['nope.internal'] }))).toThrow(/zones\[0\]: shared\/dns declares no private zone "nope\.internal" \(declared: tools\.internal, acme\.internal\)/);
    expect(() => build(withAssociation({}, [{ name: 'tools.internal', vpcs: [{}] }]))).toThrow(
      /apps-prd\/dns-association: zones: no private zone of shared\/dns lists the VPC of apps-prd\/base-network: add \{ account: 'apps-prd' \}/,
    );
    expect(() => build(withAssociation({ dnsAccount: 'apps-prd' }))).toThrow(/dnsAccount: is this account/);
    expect(() => build(withAssociation({ dnsLayer: 'base-network' }))).toThrow(/dnsLayer: layer shared\/base-network is not a dns layer/);
    expect(() => build(withAssociation({ networkLayer: 'dns-zone' }))).toThrow(/networkLayer: layer apps-prd\/dns-zone is not a base-network layer/);
  });
});
