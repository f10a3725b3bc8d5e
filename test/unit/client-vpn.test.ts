/**
 * Access to private networks (issue 14 item 4): the client-vpn layer (SAML through IAM Identity Center, split tunnel,
 * authorization per range and group, connection logs, routes through the hub) and the eks layer admitting its range.
 */
import { Ec2ClientVpnEndpoint } from '@cdktf/provider-aws/lib/ec2-client-vpn-endpoint';
import { IamSamlProvider } from '@cdktf/provider-aws/lib/iam-saml-provider';
import * as fs from 'fs';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { fromLayer } from '../../lib/layer-ref';
import { BaseNetwork } from '../../layers/base-network';
import { ClientVpn, clientVpnContract, PENDING_SAML_METADATA, type ClientVpnConfig } from '../../layers/client-vpn';
import { DnsZone } from '../../layers/dns-zone';
import { Eks } from '../../layers/eks';
import { Identities } from '../../layers/identities';
import { NetworkHub } from '../../layers/network-hub';
import { NetworkHubRoutes, type NetworkHubRoutesConfig } from '../../layers/network-hub-routes';
import { TransitAttachment } from '../../layers/transit-attachment';
import { TransitRoutes, type TransitRoutesConfig } from '../../layers/transit-routes';
import { account, build, parsed, REAL, resources, SANDBOX, source, synthStack, tempDir } from '../helpers';

const ORG_ARN = 'arn:aws:organizations::111111111111:organization/o-abc123';
const ROUTES: NetworkHubRoutesConfig = {
  attachments: [{ account: 'apps', domain: 'devstg' }, { account: 'prd', domain: 'prd' }, { account: 'network', domain: 'network' }],
  reachability: { devstg: ['devstg', 'network'], prd: ['prd', 'network'], network: ['devstg', 'prd'] },
};
const VPN: ClientVpnConfig = {
  clientCidr: '172.16.0.0/22',
  saml: { metadataFile: PENDING_SAML_METADATA },
  serverCertificate: { subdomain: 'vpn' },
  access: [
    { account: 'apps', groups: ['devops', 'developers'] },
    { account: 'network', groups: ['devops'] },
  ],
};

interface Options {
  readonly vpn?: Partial<ClientVpnConfig>;
  readonly routes?: Partial<NetworkHubRoutesConfig>;
  readonly networkRoutes?: TransitRoutesConfig | null;
  readonly networkEnvironment?: string;
  readonly endpointAccess?: unknown[];
}

function org(o: Options = {}) {
  const workload = (cidr: string, environment: string) => ({
    config: account({ environment }),
    layers: {
      'base-network': defineLayer(BaseNetwork, { vpcCidr: cidr, natGateways: 'single' }),
      'transit-attachment': defineLayer(TransitAttachment, {}),
      'transit-routes': defineLayer(TransitRoutes, {}),
    },
  });
  return source({
    management: {
      config: account({ environment: 'management' }),
      layers: {
        identities: defineLayer(Identities, {
          instanceArn: 'arn:aws:sso:::instance/ssoins-72230000a1b2c3d4',
          identityStoreId: 'd-9067000abc',
          groups: { devops: 'Platform', developers: 'Developers' },
          assignments: {},
        }),
      },
    },
    network: {
      config: account({ environment: o.networkEnvironment ?? 'network' }),
      layers: {
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.20.0.0/16', natGateways: 'single' }),
        'dns-zone': defineLayer(DnsZone, { zoneName: 'network.example.com' }),
        'network-hub': defineLayer(NetworkHub, { shareWith: ORG_ARN, routeTables: ['devstg', 'prd', 'network'] }),
        'network-hub-routes': defineLayer(NetworkHubRoutes, { ...ROUTES, ...o.routes }),
        'transit-attachment': defineLayer(TransitAttachment, {}),
        ...(o.networkRoutes === null ? {} : { 'transit-routes': defineLayer(TransitRoutes, o.networkRoutes ?? { routeTiers: ['private'] }) }),
        'client-vpn': defineLayer(ClientVpn, { ...VPN, ...o.vpn }),
      },
    },
    apps: {
      ...workload('10.30.0.0/16', 'devstg'),
      layers: {
        ...workload('10.30.0.0/16', 'devstg').layers,
        ...(o.endpointAccess ? {
          eks: defineLayer(Eks, {
            kubernetesVersion: '1.35',
            addonVersions: { vpcCni: 'v1.22.4-eksbuild.3', coredns: 'v1.13.2-eksbuild.11', kubeProxy: 'v1.35.3-eksbuild.18', ebsCsiDriver: 'v1.64.0-eksbuild.1', podIdentityAgent: 'v1.3.10-eksbuild.3' },
            nodeGroups: [{ name: 'ng', capacityType: 'ON_DEMAND', instanceTypes: ['t3.large'], minSize: 1, maxSize: 2, desiredSize: 1 }],
            endpointAccessCidrs: o.endpointAccess as never,
          }),
        } : {}),
      },
    },
    prd: workload('10.40.0.0/16', 'prd'),
  });
}

/** SAML 2.0 metadata shaped like an Identity Center application's (not a real IdP). */
function metadataFile(dir: string, name = 'client-vpn-saml-metadata.xml', body?: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, body ?? [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://portal.sso.us-east-1.amazonaws.com/saml/assertion/test">',
    '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing">',
    `<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${'MIIDBzCCAe+gAwIBAgIJ'.repeat(60)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`,
    '</md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://portal.sso.us-east-1.amazonaws.com/saml/assertion/test"/>',
    '</md:IDPSSODescriptor></md:EntityDescriptor>',
  ].join('\n'));
  return file;
}

const VPN_STACK = 'test-network-client-vpn';

describe('client-vpn, metadata pending, in the sandbox', () => {
  const stack = synthStack(org(), VPN_STACK, SANDBOX);

  it('authenticates through SAML, splits the tunnel, logs connections and pushes the VPC resolver', () => {
    expect(stack).toHaveResourceWithProperties(Ec2ClientVpnEndpoint, {
      client_cidr_block: '172.16.0.0/22',
      split_tunnel: true,
      session_timeout_hours: 8,
      disconnect_on_session_timeout: true,
      transport_protocol: 'udp',
      vpn_port: 443,
      dns_servers: ['10.20.0.2'],
      self_service_portal: 'disabled',
      authentication_options: [{ type: 'federated-authentication', saml_provider_arn: '${aws_iam_saml_provider.saml-provider.arn}' }],
      vpc_id: '${data.terraform_remote_state.remote-network-base-network.outputs.vpc_id}',
    });
    const endpoint = resources(stack, 'aws_ec2_client_vpn_endpoint')[0];
    expect(endpoint.connection_log_options).toMatchObject({ enabled: true, cloudwatch_log_group: expect.stringContaining('aws_cloudwatch_log_group.vpn_connection-logs') });
    expect(endpoint.server_certificate_arn).toMatch(/aws_acm_certificate_validation\.server-certificate/);
    expect(resources(stack, 'aws_acm_certificate')[0]).toMatchObject({ domain_name: 'vpn.network.example.com', key_algorithm: 'RSA_2048' });
    expect(resources(stack, 'aws_cloudwatch_log_group')[0]).toMatchObject({ name: '/aws/client-vpn/test-network-client-vpn', retention_in_days: 365, kms_key_id: expect.stringContaining('logs-key') });
    // The sandbox stands in a document for the pending one, long enough for the provider's check.
    expect(String(resources(stack, 'aws_iam_saml_provider')[0].saml_metadata_document).length).toBeGreaterThanOrEqual(1000);
  });

  it('associates two private subnets, opens each range to its groups (by Identity Center group id) and routes ranges outside the VPC', () => {
    const associations = resources(stack, 'aws_ec2_client_vpn_network_association').map((a) => a.subnet_id);
    expect(associations).toEqual([
      '${element(data.terraform_remote_state.remote-network-base-network.outputs.private_subnet_ids, 0)}',
      '${element(data.terraform_remote_state.remote-network-base-network.outputs.private_subnet_ids, 1)}',
    ]);
    const rules = resources(stack, 'aws_ec2_client_vpn_authorization_rule');
    expect(rules.map((r) => [r.target_network_cidr, r.access_group_id, r.authorize_all_groups])).toEqual([
      ['10.30.0.0/16', '${element(data.terraform_remote_state.remote-management-identities.outputs.group_ids, index(data.terraform_remote_state.remote-management-identities.outputs.group_names, "devops"))}', undefined],
      ['10.30.0.0/16', '${element(data.terraform_remote_state.remote-management-identities.outputs.group_ids, index(data.terraform_remote_state.remote-management-identities.outputs.group_names, "developers"))}', undefined],
      ['10.20.0.0/16', expect.stringContaining('"devops"'), undefined],
    ]);
    // The VPC's own range needs no route (each association adds it); apps' range gets one per associated subnet.
    const routes = resources(stack, 'aws_ec2_client_vpn_route');
    expect(routes.map((r) => r.destination_cidr_block)).toEqual(['10.30.0.0/16', '10.30.0.0/16']);
    expect(routes.map((r) => r.target_vpc_subnet_id)).toEqual([
      expect.stringContaining('aws_ec2_client_vpn_network_association.vpn_association-0'), expect.stringContaining('aws_ec2_client_vpn_network_association.vpn_association-1'),
    ]);
  });

  it('lets the endpoint reach the authorized ranges only, and admits nothing', () => {
    const sg = resources(stack, 'aws_security_group')[0];
    expect(sg.ingress).toEqual([]);
    expect((sg.egress as { cidr_blocks: string[] }[]).map((e) => e.cidr_blocks)).toEqual([['10.30.0.0/16'], ['10.20.0.0/16']]);
  });

  it('publishes the associated subnets as the range workloads see, and claims the client range', () => {
    expect(parsed(stack).output!.source_cidr_blocks.value).toEqual(['10.20.0.0/19', '10.20.32.0/19']);
    expect(() => build(org({ vpn: { clientCidr: '10.30.0.0/22' } }), SANDBOX)).toThrow(/apps\/base-network: vpcCidr: 10.30.0.0\/16 \(us-east-1\) overlaps 10.30.0.0\/22 of network\/client-vpn clientCidr/);
  });
});

describe('client-vpn in a real synth', () => {
  it('leaves the endpoint out while the metadata is pending, and still publishes the source ranges', () => {
    const stack = synthStack(org(), VPN_STACK, REAL);
    const r = parsed(stack).resource;
    expect(r.aws_ec2_client_vpn_endpoint).toBeUndefined();
    expect(r.aws_iam_saml_provider).toBeUndefined();
    expect(r.aws_acm_certificate).toBeDefined();
    const out = parsed(stack).output!;
    expect(out.client_vpn_endpoint_id.value).toBe('');
    expect(out.source_cidr_blocks.value).toEqual(['10.20.0.0/19', '10.20.32.0/19']);
  });

  it('creates the IAM SAML provider from the committed metadata file, and the self-service portal from a second one', () => {
    const dir = tempDir('cvpn-');
    const file = metadataFile(dir);
    const portal = metadataFile(dir, 'portal.xml');
    const stack = synthStack(org({ vpn: { saml: { metadataFile: file, selfServiceMetadataFile: portal } } }), VPN_STACK, REAL);
    expect(stack).toHaveResourceWithProperties(IamSamlProvider, { name: 'test-network-client-vpn', saml_metadata_document: fs.readFileSync(file, 'utf8') });
    expect(stack).toHaveResourceWithProperties(IamSamlProvider, { name: 'test-network-client-vpn-self-service' });
    expect(resources(stack, 'aws_ec2_client_vpn_endpoint')[0]).toMatchObject({
      self_service_portal: 'enabled',
      authentication_options: [{ self_service_saml_provider_arn: '${aws_iam_saml_provider.self-service-saml-provider.arn}' }],
    });
  });

  it('refuses a metadata file that is missing, relative, or not IdP metadata, and a provider of another account', () => {
    const dir = tempDir('cvpn-');
    expect(() => build(org({ vpn: { saml: { metadataFile: path.join(dir, 'absent.xml') } } }))).toThrow(/saml.metadataFile: .*absent.xml does not exist: download the metadata of the Identity Center application/);
    expect(() => build(org({ vpn: { saml: { metadataFile: 'metadata.xml' } } }))).toThrow(/saml.metadataFile: "metadata.xml" must be an absolute path/);
    const html = metadataFile(dir, 'page.xml', `<html>${'x'.repeat(2000)}</html>`);
    expect(() => build(org({ vpn: { saml: { metadataFile: html } } }))).toThrow(/is not the SAML 2.0 metadata of an identity provider/);
    expect(() => build(org({ vpn: { saml: { providerArn: 'arn:aws:iam::999999999999:saml-provider/x' } } }))).toThrow(/saml.providerArn: must be a provider of this account/);
    expect(() => build(org({ vpn: { saml: {} } }))).toThrow(/saml: names either metadataFile/);
  });
});

describe('client-vpn refusals', () => {
  it('refuses client ranges AWS refuses', () => {
    expect(() => build(org({ vpn: { clientCidr: '172.16.0.0/24' } }))).toThrow(/clientCidr: 172.16.0.0\/24: a client range must be between \/12 and \/22/);
    expect(() => build(org({ vpn: { clientCidr: '172.0.0.0/11' } }))).toThrow(/clientCidr: 172.0.0.0\/11: a client range must be between \/12 and \/22/);
  });

  it('refuses unknown groups, rules without groups, and every user on 0.0.0.0/0 in production', () => {
    expect(() => build(org({ vpn: { access: [{ account: 'apps', groups: ['contractors'] }] } }))).toThrow(/access\[0\].groups: "contractors" is not a group of the identities layer \(devops, developers\)/);
    expect(() => build(org({ vpn: { access: [{ account: 'apps' }] } }))).toThrow(/access\[0\].groups: names no group/);
    const world = { vpn: { access: [{ cidr: '0.0.0.0/0', allGroups: true }] }, networkRoutes: { routeTiers: ['private' as const], destinations: ['10.0.0.0/8'] } };
    expect(() => build(org({ ...world, networkEnvironment: 'prd' }))).toThrow(/access\[0\]: opens 0.0.0.0\/0 to every authenticated person in a production account/);
  });

  it('refuses a range the VPC does not send to the hub, or that the hub keeps apart', () => {
    expect(() => build(org({ networkRoutes: null }))).toThrow(/access\[0\]: 10.30.0.0\/16 is outside the VPC and no transit-routes layer of network sends it to the hub/);
    expect(() => build(org({ networkRoutes: { routeTiers: ['database'] } }))).toThrow(/access\[0\]: 10.30.0.0\/16 is outside the VPC and no transit-routes layer/);
    expect(() => build(org({ routes: { reachability: { ...ROUTES.reachability, devstg: ['devstg'] } } })))
      .toThrow(/access\[0\].account: the hub keeps domain network \(network\) and devstg \(apps\) apart/);
  });

  it('refuses a certificate of another account or region, and a sub-zone name without a dns-zone', () => {
    expect(() => build(org({ vpn: { serverCertificate: { arn: 'arn:aws:acm:us-west-2:999999999999:certificate/abc' } } }))).toThrow(/serverCertificate.arn: "arn:aws:acm:us-west-2:999999999999:certificate\/abc" is not an ACM certificate ARN/);
    expect(() => build(org({ vpn: { serverCertificate: { subdomain: 'vpn', zoneLayer: 'zone' } } }))).toThrow(/serverCertificate.zoneLayer: account network has no enabled dns-zone layer "zone"/);
  });
});

describe('eks: endpointAccessCidrs', () => {
  it('admits the VPN\'s source ranges to the private API endpoint on the cluster security group', () => {
    const stack = synthStack(org({ endpointAccess: [fromLayer(clientVpnContract, 'source_cidr_blocks', { account: 'network' })] }), 'test-apps-eks');
    expect(parsed(stack).resource.aws_vpc_security_group_ingress_rule['api-from-endpoint-access-cidrs']).toMatchObject({
      for_each: '${toset(concat([], data.terraform_remote_state.remote-network-client-vpn.outputs.source_cidr_blocks))}',
      cidr_ipv4: '${each.value}',
      ip_protocol: 'tcp',
      from_port: 443,
      to_port: 443,
      security_group_id: expect.stringContaining('cluster_security_group_id'),
    });
  });

  it('refuses the whole internet', () => {
    expect(() => build(org({ endpointAccess: ['0.0.0.0/0'] }))).toThrow(/apps\/eks: endpointAccessCidrs\[0\]: 0.0.0.0\/0 opens the API to every address/);
  });
});
