/**
 * Network inspection (issue 14 item 6): the network-firewall layer's inspection VPC and firewall, and how
 * network-hub-routes routes the domains through it when the hub's account declares it.
 */
import { Ec2TransitGatewayVpcAttachment } from '@cdktf/provider-aws/lib/ec2-transit-gateway-vpc-attachment';
import { NetworkfirewallFirewall } from '@cdktf/provider-aws/lib/networkfirewall-firewall';
import { NetworkfirewallFirewallPolicy } from '@cdktf/provider-aws/lib/networkfirewall-firewall-policy';
import { NetworkfirewallLoggingConfiguration } from '@cdktf/provider-aws/lib/networkfirewall-logging-configuration';
import { defineLayer } from '../../lib/config';
import { BaseNetwork, type BaseNetworkConfig } from '../../layers/base-network';
import { NetworkFirewall, type NetworkFirewallConfig } from '../../layers/network-firewall';
import { NetworkHub } from '../../layers/network-hub';
import { NetworkHubRoutes, type NetworkHubRoutesConfig } from '../../layers/network-hub-routes';
import { TransitAttachment } from '../../layers/transit-attachment';
import { TransitRoutes, type TransitRoutesConfig } from '../../layers/transit-routes';
import { INTERNAL_PASS_RULE } from '../../modules/inspection-firewall';
import { account, build, parsed, resources, source, synthStack } from '../helpers';

const ORG_ARN = 'arn:aws:organizations::111111111111:organization/o-abc123';
const FIREWALL: NetworkFirewallConfig = { vpcCidr: '10.21.0.0/24', allowedDomains: ['.amazonaws.com', 'pypi.org'] };
const ROUTES: NetworkHubRoutesConfig = {
  attachments: [
    { account: 'prd', domain: 'prd' },
    { account: 'dev', domain: 'devstg' },
    { account: 'tools', domain: 'shared' },
    { account: 'network', domain: 'network' },
  ],
  reachability: { prd: ['prd', 'shared', 'network'], devstg: ['devstg', 'shared', 'network'], shared: ['prd', 'devstg', 'shared'], network: ['prd', 'devstg', 'shared'] },
};

interface Options {
  readonly firewall?: Partial<NetworkFirewallConfig> | null;
  readonly routes?: Partial<NetworkHubRoutesConfig>;
  readonly tables?: readonly string[];
  readonly prdNetwork?: Partial<BaseNetworkConfig>;
  readonly prdRoutes?: TransitRoutesConfig;
}

function org(o: Options = {}) {
  const workload = (cidr: string, environment: string, network: Partial<BaseNetworkConfig> = {}, routes: TransitRoutesConfig = {}) => ({
    config: account({ environment }),
    layers: {
      'base-network': defineLayer(BaseNetwork, { vpcCidr: cidr, natGateways: 'single', ...network }),
      'transit-attachment': defineLayer(TransitAttachment, {}),
      'transit-routes': defineLayer(TransitRoutes, routes),
    },
  });
  return source({
    network: {
      config: account({ environment: 'network' }),
      layers: {
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.20.0.0/16', natGateways: 'single' }),
        'network-hub': defineLayer(NetworkHub, { shareWith: ORG_ARN, routeTables: [...(o.tables ?? ['prd', 'devstg', 'shared', 'network', 'inspection'])] }),
        'network-hub-routes': defineLayer(NetworkHubRoutes, { ...ROUTES, ...o.routes }),
        'transit-attachment': defineLayer(TransitAttachment, {}),
        'transit-routes': defineLayer(TransitRoutes, { routeTiers: ['private'] }),
        ...(o.firewall === null ? {} : { 'network-firewall': defineLayer(NetworkFirewall, { ...FIREWALL, ...o.firewall }) }),
      },
    },
    prd: workload('10.40.0.0/16', 'prd', o.prdNetwork, o.prdRoutes),
    dev: workload('10.30.0.0/16', 'devstg'),
    tools: workload('10.10.0.0/16', 'shared'),
  });
}

const REMOTE_FIREWALL = '${data.terraform_remote_state.remote-network-network-firewall.outputs.transit_gateway_attachment_id}';

describe('network-firewall: the inspection VPC', () => {
  const stack = synthStack(org(), 'test-network-network-firewall');
  const routes = Object.values(parsed(stack).resource.aws_route);
  const routeIn = (table: string) => routes.filter((r) => String(r.route_table_id).includes(table));

  it('has a transit, a firewall and a public /28 per AZ, each with its own route table', () => {
    const subnets = resources(stack, 'aws_subnet').map((s) => `${(s.tags as Record<string, string>).Tier} ${s.availability_zone} ${s.cidr_block}`).sort();
    expect(subnets).toEqual([
      'firewall us-east-1a 10.21.0.48/28', 'firewall us-east-1b 10.21.0.64/28', 'firewall us-east-1c 10.21.0.80/28',
      'public us-east-1a 10.21.0.96/28', 'public us-east-1b 10.21.0.112/28', 'public us-east-1c 10.21.0.128/28',
      'transit us-east-1a 10.21.0.0/28', 'transit us-east-1b 10.21.0.16/28', 'transit us-east-1c 10.21.0.32/28',
    ]);
    expect(resources(stack, 'aws_route_table')).toHaveLength(9);
    expect(resources(stack, 'aws_nat_gateway')).toHaveLength(3);
    expect(resources(stack, 'aws_flow_log')).toHaveLength(1);
    expect(resources(stack, 'aws_default_security_group')[0]).toMatchObject({ ingress: [], egress: [] });
  });

  it('is attached to the hub from the transit subnets in appliance mode, associated by network-hub-routes', () => {
    expect(stack).toHaveResourceWithProperties(Ec2TransitGatewayVpcAttachment, {
      transit_gateway_id: '${data.terraform_remote_state.remote-network-network-hub.outputs.transit_gateway_id}',
      appliance_mode_support: 'enable',
      transit_gateway_default_route_table_association: false,
      transit_gateway_default_route_table_propagation: false,
    });
    const attachment = resources(stack, 'aws_ec2_transit_gateway_vpc_attachment')[0];
    expect(attachment.subnet_ids).toHaveLength(3);
    for (const id of attachment.subnet_ids as string[]) expect(id).toMatch(/aws_subnet\.inspection_transit-us-east-1[abc]/);
  });

  it('keeps each AZ on its own firewall endpoint and NAT gateway, and sends the organisation back to the hub after the attachment', () => {
    for (const az of ['us-east-1a', 'us-east-1b', 'us-east-1c']) {
      const [transit] = routeIn(`inspection_transit-rt-${az}`);
      expect(transit).toMatchObject({ destination_cidr_block: '0.0.0.0/0' });
      expect(transit.vpc_endpoint_id).toMatch(new RegExp(`firewall_status\\[0\\]\\.sync_states : s\\.attachment\\[0\\]\\.endpoint_id if s\\.availability_zone == "${az}"`));
      const firewall = routeIn(`inspection_firewall-rt-${az}`);
      expect(firewall.find((r) => r.destination_cidr_block === '0.0.0.0/0')!.nat_gateway_id).toContain(`inspection_nat-${az}`);
      const back = firewall.find((r) => r.destination_cidr_block === '10.0.0.0/8')!;
      expect(back.transit_gateway_id).toBe('${data.terraform_remote_state.remote-network-network-hub.outputs.transit_gateway_id}');
      expect(back.depends_on).toEqual([expect.stringMatching(/^aws_ec2_transit_gateway_vpc_attachment\.attachment/)]);
      const pub = routeIn(`inspection_public-rt-${az}`);
      expect(pub.find((r) => r.destination_cidr_block === '0.0.0.0/0')!.gateway_id).toContain('inspection_igw');
      expect(pub.find((r) => r.destination_cidr_block === '10.0.0.0/8')!.vpc_endpoint_id).toContain(`s.availability_zone == "${az}"`);
    }
  });

  it('passes internal traffic, allows egress to the listed domains only (SNI and Host), for HOME_NET = the internal ranges', () => {
    const groups = resources(stack, 'aws_networkfirewall_rule_group');
    const domains = groups.find((g) => String(g.name).endsWith('-egress-domains'))!;
    expect(domains).toMatchObject({
      type: 'STATEFUL',
      capacity: 500,
      rule_group: {
        rule_variables: { ip_sets: [{ key: 'HOME_NET', ip_set: { definition: ['10.0.0.0/8'] } }] },
        rules_source: { rules_source_list: { generated_rules_type: 'ALLOWLIST', target_types: ['TLS_SNI', 'HTTP_HOST'], targets: ['.amazonaws.com', 'pypi.org'] } },
        stateful_rule_options: { rule_order: 'STRICT_ORDER' },
      },
    });
    const internal = groups.find((g) => String(g.name).endsWith('-internal'))!;
    expect(internal.rule_group).toMatchObject({ rules_source: { rules_string: INTERNAL_PASS_RULE }, stateful_rule_options: { rule_order: 'STRICT_ORDER' } });
    expect(stack).toHaveResourceWithProperties(NetworkfirewallFirewallPolicy, {
      firewall_policy: expect.objectContaining({
        stateless_default_actions: ['aws:forward_to_sfe'],
        stateless_fragment_default_actions: ['aws:forward_to_sfe'],
        stateful_engine_options: { rule_order: 'STRICT_ORDER', stream_exception_policy: 'DROP' },
        stateful_default_actions: ['aws:drop_established', 'aws:alert_established'],
      }),
    });
  });

  it('protects the firewall and logs ALERT and FLOW to encrypted log groups the delivery service may write', () => {
    expect(stack).toHaveResourceWithProperties(NetworkfirewallFirewall, { delete_protection: true, subnet_change_protection: true, firewall_policy_change_protection: true });
    expect(resources(stack, 'aws_networkfirewall_firewall')[0].subnet_mapping).toHaveLength(3);
    expect(stack).toHaveResourceWithProperties(NetworkfirewallLoggingConfiguration, {
      logging_configuration: { log_destination_config: [
        expect.objectContaining({ log_type: 'ALERT', log_destination_type: 'CloudWatchLogs' }),
        expect.objectContaining({ log_type: 'FLOW', log_destination_type: 'CloudWatchLogs' }),
      ] },
    });
    const groups = resources(stack, 'aws_cloudwatch_log_group').filter((g) => String(g.name).startsWith('/aws/network-firewall/'));
    expect(groups.map((g) => g.name)).toEqual(['/aws/network-firewall/test-network-inspection/alert', '/aws/network-firewall/test-network-inspection/flow']);
    for (const g of groups) expect(g).toMatchObject({ retention_in_days: 365, kms_key_id: expect.stringContaining('aws_kms_key.logs-key') });
    const policy = JSON.parse(String(resources(stack, 'aws_cloudwatch_log_resource_policy')[0].policy_document));
    expect(policy.Statement[0]).toMatchObject({
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Condition: { StringEquals: { 'aws:SourceAccount': expect.stringMatching(/^\d{12}$/) } },
    });
    expect(resources(stack, 'aws_networkfirewall_logging_configuration')[0].depends_on).toEqual([expect.stringMatching(/aws_cloudwatch_log_resource_policy/)]);
  });

  it('without egress has no public subnets, NAT or internet gateway', () => {
    const noEgress = synthStack(org({ firewall: { egress: false } }), 'test-network-network-firewall');
    expect(resources(noEgress, 'aws_subnet')).toHaveLength(6);
    expect(resources(noEgress, 'aws_nat_gateway')).toEqual([]);
    expect(resources(noEgress, 'aws_internet_gateway')).toEqual([]);
  });

  it('refuses a hub without its table, a bad domain list, a capacity too small, a VPC too small or overlapping', () => {
    expect(() => build(org({ tables: ['prd', 'devstg', 'shared', 'network'] }))).toThrow(/network-firewall: hubRouteTable: "inspection" is not a route table of network\/network-hub/);
    expect(() => build(org({ firewall: { allowedDomains: [] } }))).toThrow(/allowedDomains: lists no domain/);
    expect(() => build(org({ firewall: { allowedDomains: ['*.example.com'] } }))).toThrow(/allowedDomains\[0\]: "\*.example.com" must be a lowercase domain name/);
    expect(() => build(org({ firewall: { domainCapacity: 3 } }))).toThrow(/domainCapacity: 3 is below the 4 the 2 domains need/);
    expect(() => build(org({ firewall: { vpcCidr: '10.21.0.0/25' } }))).toThrow(/vpcCidr: 10.21.0.0\/25: an inspection VPC must be between \/16 and \/24/);
    expect(() => build(org({ firewall: { vpcCidr: '10.40.0.0/24' } }))).toThrow(/prd\/base-network: vpcCidr: 10.40.0.0\/16 .* overlaps 10.40.0.0\/24 of network\/network-firewall vpcCidr/);
    expect(() => build(org({ firewall: { logs: { retentionDays: 366 } } }))).toThrow(/logs.retentionDays: 366 is not a CloudWatch Logs retention/);
  });
});

describe('network-hub-routes with a network-firewall in the hub account', () => {
  const routes = synthStack(org(), 'test-network-network-hub-routes');
  const r = parsed(routes).resource;

  it('associates the inspection attachment with the inspection table', () => {
    expect(r.aws_ec2_transit_gateway_route_table_association['associate-inspection']).toMatchObject({
      transit_gateway_attachment_id: REMOTE_FIREWALL,
      transit_gateway_route_table_id: expect.stringMatching(/"inspection"\)/),
    });
  });

  it('propagates each VPC into its own domain and the inspection table only; other domains reach it through the firewall', () => {
    expect(Object.keys(r.aws_ec2_transit_gateway_route_table_propagation).sort()).toEqual([
      'propagate-dev-transit-attachment-to-devstg', 'propagate-dev-transit-attachment-to-inspection',
      'propagate-network-transit-attachment-to-inspection',
      'propagate-prd-transit-attachment-to-inspection', 'propagate-prd-transit-attachment-to-prd',
      'propagate-tools-transit-attachment-to-inspection', 'propagate-tools-transit-attachment-to-shared',
    ]);
    expect(r.aws_ec2_transit_gateway_route['route-prd-transit-attachment-from-shared']).toMatchObject({
      destination_cidr_block: '${data.terraform_remote_state.remote-prd-transit-attachment.outputs.vpc_cidr_block}',
      transit_gateway_attachment_id: REMOTE_FIREWALL,
      transit_gateway_route_table_id: expect.stringMatching(/"shared"\)/),
    });
    // prd and devstg stay apart: no route of either in the other's table, through the firewall or not.
    const names = Object.keys(r.aws_ec2_transit_gateway_route);
    expect(names.filter((n) => /^route-prd-.*-from-devstg$|^route-dev-.*-from-prd$/.test(n))).toEqual([]);
  });

  it('sends each domain table\'s default route to the firewall and blackholes the internal ranges behind it', () => {
    for (const table of ['prd', 'devstg', 'shared', 'network']) {
      expect(r.aws_ec2_transit_gateway_route[`default-${table}-through-inspection`]).toMatchObject({ destination_cidr_block: '0.0.0.0/0', transit_gateway_attachment_id: REMOTE_FIREWALL });
      expect(r.aws_ec2_transit_gateway_route[`blackhole-${table}-0`]).toMatchObject({ destination_cidr_block: '10.0.0.0/8', blackhole: true });
    }
    const noEgress = parsed(synthStack(org({ firewall: { egress: false } }), 'test-network-network-hub-routes')).resource.aws_ec2_transit_gateway_route;
    expect(Object.keys(noEgress).filter((n) => n.startsWith('default-') || n.startsWith('blackhole-'))).toEqual([]);
  });

  it('needs no acceptance for the hub account\'s own VPC, but accepts every other', () => {
    const accepters = Object.keys(r.aws_ec2_transit_gateway_vpc_attachment_accepter).sort();
    expect(accepters).toEqual(['accept-dev-transit-attachment', 'accept-prd-transit-attachment', 'accept-tools-transit-attachment']);
    expect(r.aws_ec2_transit_gateway_route_table_association['associate-network-transit-attachment'].transit_gateway_attachment_id)
      .toBe('${data.terraform_remote_state.remote-network-transit-attachment.outputs.transit_gateway_attachment_id}');
    expect(parsed(routes).output!.accepted_attachment_ids.value).toContain('${data.terraform_remote_state.remote-network-transit-attachment.outputs.transit_gateway_attachment_id}');
  });

  it('reads the firewall only when declared, and keeps the graph acyclic', () => {
    const { stacks } = build(org());
    expect([...stacks.get('test-network-network-hub-routes')!.reads.keys()]).toContain('network/network-firewall');
    expect([...stacks.get('test-network-network-firewall')!.reads.keys()].sort()).toEqual(['network/network-hub']);
    const direct = build(org({ firewall: null })).stacks.get('test-network-network-hub-routes')!;
    expect([...direct.reads.keys()]).not.toContain('network/network-firewall');
    const optedOut = parsed(synthStack(org({ routes: { inspectionLayer: false } }), 'test-network-network-hub-routes')).resource;
    expect(optedOut.aws_ec2_transit_gateway_route).toBeUndefined();
    expect(Object.keys(optedOut.aws_ec2_transit_gateway_route_table_propagation)).toContain('propagate-prd-transit-attachment-to-shared');
  });

  it('refuses a missing inspection layer it names, the inspection table as a domain, and a VPC outside the internal ranges', () => {
    expect(() => build(org({ firewall: null, routes: { inspectionLayer: 'inspection' } }))).toThrow(/network-hub-routes: inspectionLayer: account network declares no layer "inspection"/);
    expect(() => build(org({ routes: { reachability: { ...ROUTES.reachability, prd: ['prd', 'inspection'] } } })))
      .toThrow(/reachability: uses "inspection", the inspection table of the network-firewall layer/);
    expect(() => build(org({ firewall: { internalRanges: ['10.0.0.0/12'] } })))
      .toThrow(/attachments\[0\]: the VPC of prd \(10.40.0.0\/16\) is outside the firewall's internalRanges \(10.0.0.0\/12\)/);
  });
});

describe('transit-routes: internet egress through the hub', () => {
  it('accepts a default route when the hub has egress and the VPC no NAT gateway', () => {
    const spoke = synthStack(org({ prdNetwork: { natGateways: 'none' }, prdRoutes: { destinations: ['0.0.0.0/0'], routeTiers: ['private'] } }), 'test-prd-transit-routes');
    expect(resources(spoke, 'aws_route')[0]).toMatchObject({ destination_cidr_block: '0.0.0.0/0' });
  });

  it('refuses it beside NAT gateways, on the public tier, or without an egress firewall', () => {
    expect(() => build(org({ prdRoutes: { destinations: ['0.0.0.0/0'], routeTiers: ['private'] } })))
      .toThrow(/prd\/transit-routes: destinations\[0\]: prd\/base-network has NAT gateways \(natGateways 'single'\)/);
    expect(() => build(org({ prdNetwork: { natGateways: 'none' }, prdRoutes: { destinations: ['0.0.0.0/0'], routeTiers: ['public'] } })))
      .toThrow(/destinations\[0\]: the public route table already sends 0.0.0.0\/0 to the internet gateway/);
    expect(() => build(org({ firewall: { egress: false }, prdNetwork: { natGateways: 'none' }, prdRoutes: { destinations: ['0.0.0.0/0'], routeTiers: ['private'] } })))
      .toThrow(/destinations\[0\]: a default route through the hub needs a network-firewall layer with egress in network/);
  });
});
