import { Ec2TransitGateway } from '@cdktf/provider-aws/lib/ec2-transit-gateway';
import { Ec2TransitGatewayVpcAttachment } from '@cdktf/provider-aws/lib/ec2-transit-gateway-vpc-attachment';
import { RamPrincipalAssociation } from '@cdktf/provider-aws/lib/ram-principal-association';
import { RamResourceShare } from '@cdktf/provider-aws/lib/ram-resource-share';
import { defineLayer } from '../../lib/config';
import { BaseNetwork } from '../../layers/base-network';
import { NetworkHub, type NetworkHubConfig } from '../../layers/network-hub';
import { NetworkHubRoutes, type NetworkHubRoutesConfig } from '../../layers/network-hub-routes';
import { TransitAttachment } from '../../layers/transit-attachment';
import { TransitRoutes, type TransitRoutesConfig } from '../../layers/transit-routes';
import { REAL, account, build, parsed, resources, source, synthStack } from '../helpers';
import { readProjectFolder, resolveOrganisation, buildOrganisation } from '../../lib/organisation';
import { Testing } from 'cdktf';
import * as path from 'path';

const ORG_ARN = 'arn:aws:organizations::111111111111:organization/o-abc123';
const HUB: NetworkHubConfig = { shareWith: ORG_ARN, routeTables: ['prd', 'devstg', 'shared'] };
const ROUTES: NetworkHubRoutesConfig = {
  attachments: [
    { account: 'prd', domain: 'prd' },
    { account: 'dev', domain: 'devstg' },
    { account: 'tools', domain: 'shared' },
  ],
  reachability: { prd: ['prd', 'shared'], devstg: ['devstg', 'shared'], shared: ['prd', 'devstg', 'shared'] },
};

function org(hub: Partial<NetworkHubConfig> = {}, routes: Partial<NetworkHubRoutesConfig> = {}, spoke: TransitRoutesConfig = {}) {
  const workload = (cidr: string, environment: string) => ({
    config: account({ environment }),
    layers: {
      'base-network': defineLayer(BaseNetwork, { vpcCidr: cidr, natGateways: 'single' }),
      'transit-attachment': defineLayer(TransitAttachment, {}),
      'transit-routes': defineLayer(TransitRoutes, spoke),
    },
  });
  return source({
    network: {
      config: account({ environment: 'network' }),
      layers: {
        'network-hub': defineLayer(NetworkHub, { ...HUB, ...hub }),
        'network-hub-routes': defineLayer(NetworkHubRoutes, { ...ROUTES, ...routes }),
      },
    },
    prd: workload('10.40.0.0/16', 'prd'),
    dev: workload('10.30.0.0/16', 'devstg'),
    tools: workload('10.10.0.0/16', 'shared'),
  });
}

describe('network hub', () => {
  const hub = synthStack(org(), 'test-network-network-hub');
  const routes = synthStack(org(), 'test-network-network-hub-routes');

  it('creates a transit gateway that accepts and routes nothing by default', () => {
    expect(hub).toHaveResourceWithProperties(Ec2TransitGateway, {
      auto_accept_shared_attachments: 'disable',
      default_route_table_association: 'disable',
      default_route_table_propagation: 'disable',
      amazon_side_asn: 64512,
    });
    expect(resources(hub, 'aws_ec2_transit_gateway_route_table').map((t) => (t.tags as Record<string, string>).RoutingDomain).sort())
      .toEqual(['devstg', 'prd', 'shared']);
  });

  it('shares the transit gateway with the organisation only, through RAM', () => {
    expect(hub).toHaveResourceWithProperties(RamResourceShare, { allow_external_principals: false });
    expect(hub).toHaveResourceWithProperties(RamPrincipalAssociation, { principal: ORG_ARN });
    expect(resources(hub, 'aws_ram_resource_association')[0].resource_arn).toBe('${aws_ec2_transit_gateway.tgw.arn}');
    expect(() => build(org({ shareWith: '123456789012' }))).toThrow(/shareWith: "123456789012" is not an organisation or OU ARN/);
  });

  it('attaches each workload VPC from its own account, reading the hub and its base-network, and routes nothing there', () => {
    const prd = synthStack(org(), 'test-prd-transit-attachment');
    expect(prd).toHaveResourceWithProperties(Ec2TransitGatewayVpcAttachment, {
      transit_gateway_id: '${data.terraform_remote_state.remote-network-network-hub.outputs.transit_gateway_id}',
      subnet_ids: '${data.terraform_remote_state.remote-prd-base-network.outputs.private_subnet_ids}',
      transit_gateway_default_route_table_association: false,
      transit_gateway_default_route_table_propagation: false,
    });
    // The attachment stays pendingAcceptance until the hub accepts it: no route to the hub in the same apply.
    expect(resources(prd, 'aws_route')).toEqual([]);
    expect(parsed(prd).output!.transit_gateway_id.value).toBe('${data.terraform_remote_state.remote-network-network-hub.outputs.transit_gateway_id}');
  });

  it('routes to the hub in transit-routes, once the hub has accepted the attachment', () => {
    const prd = synthStack(org(), 'test-prd-transit-routes');
    const route = resources(prd, 'aws_route')[0];
    expect(route).toMatchObject({
      destination_cidr_block: '10.0.0.0/8',
      route_table_id: '${each.value}',
      transit_gateway_id: '${data.terraform_remote_state.remote-prd-transit-attachment.outputs.transit_gateway_id}',
      lifecycle: { precondition: [{
        condition: '${contains(data.terraform_remote_state.remote-network-network-hub-routes.outputs.accepted_attachment_ids, data.terraform_remote_state.remote-prd-transit-attachment.outputs.transit_gateway_attachment_id)}',
        error_message: expect.stringContaining('network/network-hub-routes) has not accepted'),
      }] },
    });
    expect(route.for_each).toMatch(/private_route_table_ids.*database_route_table_ids/);
    const tiers = resources(synthStack(org({}, {}, { routeTiers: ['private'], destinations: ['10.0.0.0/8', '172.16.0.0/12'] }), 'test-prd-transit-routes'), 'aws_route');
    expect(tiers.map((r) => r.destination_cidr_block)).toEqual(['10.0.0.0/8', '172.16.0.0/12']);
    expect(String(tiers[0].for_each)).not.toContain('database_route_table_ids');
  });

  it('refuses routes the hub would never carry', () => {
    expect(() => build(org({}, {}, { destinations: ['0.0.0.0/0'] }))).toThrow(/prd\/transit-routes: destinations\[0\]: a default route through the hub needs a network-firewall layer with egress in network/);
    expect(() => build(org({}, {}, { destinations: [] }))).toThrow(/destinations: lists no range/);
    expect(() => build(org({}, {}, { routeTiers: ['dmz' as never] }))).toThrow(/routeTiers: "dmz" must be/);
    // An attachment the hub does not list is never accepted: the routes would be blackholes.
    expect(() => build(org({}, { attachments: ROUTES.attachments.filter((a) => a.account !== 'prd') })))
      .toThrow(/prd\/transit-routes: hubRoutesLayer: network\/network-hub-routes does not list prd\/transit-attachment in its attachments/);
    expect(() => build(org({}, {}, { attachmentLayer: 'tgw' }))).toThrow(/attachmentLayer: account prd declares no layer "tgw"/);
  });

  it('accepts every attachment and associates it with its own domain table', () => {
    const accepters = resources(routes, 'aws_ec2_transit_gateway_vpc_attachment_accepter');
    expect(accepters.map((a) => a.transit_gateway_attachment_id).sort()).toEqual([
      '${data.terraform_remote_state.remote-dev-transit-attachment.outputs.transit_gateway_attachment_id}',
      '${data.terraform_remote_state.remote-prd-transit-attachment.outputs.transit_gateway_attachment_id}',
      '${data.terraform_remote_state.remote-tools-transit-attachment.outputs.transit_gateway_attachment_id}',
    ]);
    for (const a of accepters) {
      expect(a).toMatchObject({ transit_gateway_default_route_table_association: false, transit_gateway_default_route_table_propagation: false });
    }
    const assoc = parsed(routes).resource.aws_ec2_transit_gateway_route_table_association;
    expect(assoc['associate-prd-transit-attachment'].transit_gateway_route_table_id).toMatch(/index\(.*route_table_names, "prd"\)/);
    expect(assoc['associate-dev-transit-attachment'].transit_gateway_route_table_id).toMatch(/index\(.*route_table_names, "devstg"\)/);
  });

  it('keeps prd and devstg apart: neither propagates into the other table, both reach shared', () => {
    const propagations = Object.keys(parsed(routes).resource.aws_ec2_transit_gateway_route_table_propagation).sort();
    expect(propagations).toEqual([
      'propagate-dev-transit-attachment-to-devstg',
      'propagate-dev-transit-attachment-to-shared',
      'propagate-prd-transit-attachment-to-prd',
      'propagate-prd-transit-attachment-to-shared',
      'propagate-tools-transit-attachment-to-devstg',
      'propagate-tools-transit-attachment-to-prd',
      'propagate-tools-transit-attachment-to-shared',
    ]);
    const table = (id: string) => parsed(routes).resource.aws_ec2_transit_gateway_route_table_propagation[id].transit_gateway_route_table_id as string;
    expect(table('propagate-prd-transit-attachment-to-prd')).toMatch(/"prd"\)/);
    expect(table('propagate-dev-transit-attachment-to-devstg')).toMatch(/"devstg"\)/);
    expect(() => build(org({}, { reachability: { ...ROUTES.reachability, prd: ['prd', 'devstg'] } })))
      .toThrow(/reachability: lets prd and devstg reach each other, but they are isolated/);
    expect(() => build(org({}, { attachments: [{ account: 'prd', domain: 'production' }] })))
      .toThrow(/attachments\[0\].domain: "production" is not a hub route table/);
  });

  it('reads the routing domains of the hub through NetworkHub.facts, and names a hub layer of another kind', () => {
    expect(NetworkHub.facts(HUB)).toEqual({ routingDomains: ['prd', 'devstg', 'shared'] });
    expect(() => build(org({}, { hubLayer: 'network-hub-routes' }))).toThrow(/hubLayer: layer network\/network-hub-routes is not a network-hub layer/);
    expect(() => build(org({}, { hubLayer: 'hub' }))).toThrow(/hubLayer: account network declares no layer "hub"/);
  });

  it('has no cycle: hub <- attachments <- hub routes <- spoke routes, and the hub reads no attachment', () => {
    const { stacks } = build(org());
    expect([...stacks.get('test-network-network-hub')!.reads.keys()]).toEqual([]);
    expect([...stacks.get('test-prd-transit-attachment')!.reads.keys()].sort()).toEqual(['network/network-hub', 'prd/base-network']);
    expect([...stacks.get('test-network-network-hub-routes')!.reads.keys()].sort())
      .toEqual(['dev/transit-attachment', 'network/network-hub', 'prd/transit-attachment', 'tools/transit-attachment']);
    expect([...stacks.get('test-prd-transit-routes')!.reads.keys()].sort()).toEqual(['network/network-hub-routes', 'prd/base-network', 'prd/transit-attachment']);
  });

  it('is wired in the example organisation with prd, devstg and data isolated', () => {
    const app = Testing.app();
    const built = buildOrganisation(app, resolveOrganisation(readProjectFolder(path.join(__dirname, '../../projects/acme')), REAL));
    const node = built.graph.find((n) => n.id === 'acme-network-network-hub-routes')!;
    expect(node.dependsOn).toEqual(expect.arrayContaining([
      'acme-apps-prd-transit-attachment', 'acme-apps-devstg-transit-attachment', 'acme-shared-transit-attachment',
      'acme-data-science-transit-attachment', 'acme-network-network-hub',
    ]));
    for (const spoke of ['shared', 'apps-devstg', 'apps-prd', 'data-science']) {
      expect(built.graph.find((n) => n.id === `acme-${spoke}-transit-routes`)!.dependsOn)
        .toEqual(expect.arrayContaining(['acme-network-network-hub-routes', `acme-${spoke}-transit-attachment`]));
    }
    const hubNode = built.graph.find((n) => n.id === 'acme-network-network-hub')!;
    expect(hubNode.dependsOn).toEqual(['acme-management-organizations']);
    const stack = built.stacks.find((s) => s.node.id === 'acme-network-network-hub-routes')!;
    const propagations = Object.keys(parsed(Testing.synth(stack)).resource.aws_ec2_transit_gateway_route_table_propagation);
    expect(propagations.filter((p) => /apps-prd.*-to-(devstg|data)$|apps-devstg.*-to-(prd|data)$|data-science.*-to-(prd|devstg)$/.test(p))).toEqual([]);
  });
});
