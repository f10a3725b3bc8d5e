import { IamSamlProvider } from '@cdktf/provider-aws/lib/iam-saml-provider';
import { Fn, Token } from 'cdktf';
import type { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import { contains, parseCidr, type Cidr } from '../lib/cidr';
import { defineContract } from '../lib/contract';
import { declaredLayer, declaresLayer } from '../lib/layer-presence';
import { LayerStack, type FieldProblem, type NetworkClaim } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { arnOf, FieldProblems, integerBetween, knownAccount, oneOf } from '../lib/validators';
import {
  CLIENT_VPN_SESSION_HOURS, ClientVpnEndpoint, clientVpnEndpointPropProblems, routedRanges, type ClientVpnAuthorization, type ClientVpnSessionHours,
} from '../modules/client-vpn-endpoint';
import { DnsValidatedCertificate } from '../modules/dns-validated-certificate';
import { KmsKey } from '../modules/kms-key';
import { defaultSubnetLayout } from '../modules/vpc';
import { BaseNetwork, baseNetworkContract } from './base-network';
import { DEFAULT_ZONE_LAYER, dnsZoneContract, subZoneName, subZoneNameProblems, type SubZoneName } from './dns-zone';
import { Identities, identitiesContract } from './identities';
import { NetworkHubRoutes } from './network-hub-routes';
import { securityContract } from './security';
import { TransitAttachment } from './transit-attachment';
import { TransitRoutes } from './transit-routes';

/**
 * A SAML metadata document only the IdP's console gives (Identity Center has no API for custom SAML applications), not
 * committed yet: the sandbox plans the endpoint with an offline document, a real synth leaves the endpoint out until the
 * file is there (like PENDING_CHAT_ID of the security layer).
 */
export const PENDING_SAML_METADATA = 'pending';

export interface ClientVpnSamlConfig {
  /**
   * Absolute path of the metadata XML of the IAM Identity Center application "AWS Client VPN" (a custom SAML 2.0
   * application: ACS URL `http://127.0.0.1:35001`, audience `urn:amazon:webservices:clientvpn`, attributes `NameID`
   * (email), `FirstName`, `LastName`, `memberOf` = `${user:groups}`), committed beside the layer file, e.g.
   * `path.join(__dirname, 'client-vpn-saml-metadata.xml')`; or `PENDING_SAML_METADATA`. The document is public
   * (IdP certificate, entity id, sign-in URL): no secret. Exclusive with `providerArn`.
   */
  readonly metadataFile?: string;
  /** An IAM SAML provider of this account created out of band, instead of `metadataFile`. */
  readonly providerArn?: string;
  /**
   * The metadata of a second Identity Center application for the self-service portal (ACS URL
   * `https://self-service.clientvpn.amazonaws.com/api/auth/sso/saml`), where people download the client and its
   * configuration; or `PENDING_SAML_METADATA`. @default - no self-service portal
   */
  readonly selfServiceMetadataFile?: string;
}

/** One range opened to people: an account's VPC or a literal range, for Identity Center groups or everyone. */
export interface ClientVpnAccessRule {
  /** The VPC of this account (its base-network `vpcCidr`). Exclusive with `cidr`. */
  readonly account?: string;
  /** Layer of that account publishing the VPC. @default 'base-network' */
  readonly networkLayer?: string;
  /** A literal range (on-premises, a peered network). Exclusive with `account`. */
  readonly cidr?: string;
  /** Identity Center groups (names of the identities layer's `groups`) whose members may reach it. */
  readonly groups?: readonly string[];
  /** Every authenticated person instead of groups; refused for 0.0.0.0/0 in production. @default false */
  readonly allGroups?: boolean;
}

export interface ClientVpnConfig {
  /**
   * Addresses handed to connected people: /12 to /22, fixed once the endpoint exists, about twice the concurrent
   * connections expected (AWS keeps part of it). Claimed like a VPC range, so no VPC of the organisation may overlap it.
   */
  readonly clientCidr: string;
  readonly saml: ClientVpnSamlConfig;
  /**
   * The certificate the endpoint presents: a public ACM certificate for `<subdomain>.<this account's dns-zone>`,
   * validated in that zone, or the ARN of an ACM certificate of this account and region (RSA 2048; e.g. issued by ACM
   * Private CA). Its private key never leaves ACM.
   */
  readonly serverCertificate: SubZoneName | { readonly arn: string };
  /** Who may reach which network, by Identity Center group. */
  readonly access: readonly ClientVpnAccessRule[];
  /** The base-network layer of this account the endpoint is associated with. @default 'base-network' */
  readonly networkLayer?: string;
  /** How many of its private subnets (AZs) to associate; each association is billed hourly. @default 2 */
  readonly subnetCount?: number;
  /** Account of the identities layer whose groups the rules name. @default the project's management account */
  readonly identitiesAccount?: string;
  /** @default 'identities' */
  readonly identitiesLayer?: string;
  /** Session length; people sign in again after it. @default 8 */
  readonly sessionTimeoutHours?: ClientVpnSessionHours;
  /** DNS servers pushed to clients. @default the VPC's resolver (its range's base address + 2) */
  readonly dnsServers?: readonly string[];
  /** Shown by the AWS-provided client when a session starts. @default - none */
  readonly bannerText?: string;
  /** Days connection logs are kept. @default 365 */
  readonly logRetentionDays?: number;
  /** Key of the log group. @default 'security-layer' when the account declares a security layer, otherwise 'own' */
  readonly kmsKeySource?: 'security-layer' | 'own';
}

export const clientVpnContract = defineContract('client-vpn', {
  client_vpn_endpoint_id: { description: 'Client VPN endpoint (empty while the SAML metadata is pending)', mock: 'cvpn-endpoint-0mock0000000000000' },
  dns_name: { description: 'DNS name clients connect to (empty while pending)', mock: '*.cvpn-endpoint-0mock0000000000000.prod.clientvpn.us-east-1.amazonaws.com' },
  client_cidr_block: { description: 'Addresses handed to clients (never seen by workloads: the endpoint translates them)', mock: '172.16.0.0/22' },
  source_cidr_blocks: {
    description: 'Ranges VPN connections come from as workloads see them: the associated subnets (admit these in security groups)',
    mock: ['10.250.0.0/19', '10.250.32.0/19'],
  },
  security_group_id: { description: 'Security group of the endpoint (empty while pending)', mock: 'sg-0mockclientvpn00' },
  connection_log_group_name: { description: 'Log group of the connection logs (empty while pending)', mock: '/aws/client-vpn/acme-mock-client-vpn' },
});

/** IAM refuses a metadata document shorter than this (SAMLMetadataDocument). */
const SAML_METADATA_MIN = 1000;
const SAML_PROVIDER_ARN = { service: 'iam', resource: /^saml-provider\/[\w.-]+$/, described: 'an IAM SAML provider ARN' };
const ACM_CERTIFICATE_ARN = { service: 'acm', resource: /^certificate\/[\w-]+$/, described: 'an ACM certificate ARN' };

/** Problems of a metadata file: absolute, present, and an IdP's SAML 2.0 metadata. */
function metadataFileProblems(file: string): string | undefined {
  if (!path.isAbsolute(file)) return `"${file}" must be an absolute path, e.g. path.join(__dirname, 'client-vpn-saml-metadata.xml')`;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return `${file} does not exist: download the metadata of the Identity Center application and commit it there (or write PENDING_SAML_METADATA)`;
  }
  if (text.length < SAML_METADATA_MIN || !/EntityDescriptor/.test(text) || !/IDPSSODescriptor/.test(text) || !/X509Certificate/.test(text)) {
    return `${file} is not the SAML 2.0 metadata of an identity provider (an EntityDescriptor with an IDPSSODescriptor and its signing certificate)`;
  }
  return undefined;
}

interface Access {
  readonly cidr: string;
  readonly rule: ClientVpnAccessRule;
  readonly index: number;
}

/** The ranges of the access rules: an account's VPC from its base-network config, or the literal range. */
function accessRanges(config: ClientVpnConfig, ctx: LayerContext, problems?: FieldProblems): Access[] {
  const ranges: Access[] = [];
  (config.access ?? []).forEach((rule, index) => {
    const field = `access[${index}]`;
    if ((rule.account === undefined) === (rule.cidr === undefined)) return void problems?.add(field, 'names either an account (its VPC) or a cidr');
    if (rule.cidr !== undefined) return void ranges.push({ cidr: rule.cidr, rule, index });
    const network = declaredLayer(ctx.org, rule.account!, rule.networkLayer ?? 'base-network', BaseNetwork);
    if (typeof network === 'string') return void problems?.add(`${field}.account`, network);
    ranges.push({ cidr: network.config.vpcCidr, rule, index });
  });
  return ranges;
}

interface Network {
  readonly vpc: Cidr;
  /** CIDRs of the private subnets, in AZ order. */
  readonly privateSubnets: readonly string[];
}

function networkOf(config: ClientVpnConfig, ctx: LayerContext): Network | string {
  const layer = config.networkLayer ?? 'base-network';
  const network = declaredLayer(ctx.org, ctx.account.name, layer, BaseNetwork);
  if (typeof network === 'string') return network;
  const vpc = parseCidr(network.config.vpcCidr);
  if (typeof vpc === 'string') return vpc;
  const azCount = network.config.azCount ?? 3;
  const layout = { ...defaultSubnetLayout(vpc, azCount), ...network.config.subnets };
  return { vpc, privateSubnets: layout.private };
}

function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * AWS Client VPN in the network account, so that people reach private EKS endpoints, databases and internal load
 * balancers: SAML through an IAM Identity Center application, split tunnel, authorization per range and Identity Center
 * group, connection logs, associated with private subnets of the account's VPC and routed through the transit gateway
 * (the VPC's transit-routes and the hub's reachability carry the traffic; validation checks both).
 *
 * Workloads see VPN traffic coming from the associated subnets (Client VPN translates the client addresses), published
 * as `source_cidr_blocks` for security groups (e.g. the eks layer's `endpointAccessCidrs`).
 */
export class ClientVpn extends LayerStack {
  static readonly contract = clientVpnContract;

  static networks(config: ClientVpnConfig): NetworkClaim[] {
    return [{ field: 'clientCidr', cidr: config.clientCidr }];
  }

  static validate(config: ClientVpnConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const saml = config.saml ?? {};
    if ((saml.metadataFile === undefined) === (saml.providerArn === undefined)) {
      problems.add('saml', 'names either metadataFile (the Identity Center application\'s metadata) or providerArn (an IAM SAML provider made out of band)');
    }
    if (saml.metadataFile !== undefined && saml.metadataFile !== PENDING_SAML_METADATA) problems.check('saml.metadataFile', metadataFileProblems(saml.metadataFile));
    if (saml.selfServiceMetadataFile !== undefined && saml.selfServiceMetadataFile !== PENDING_SAML_METADATA) {
      problems.check('saml.selfServiceMetadataFile', metadataFileProblems(saml.selfServiceMetadataFile));
    }
    if (saml.providerArn !== undefined) {
      problems.check('saml.providerArn', arnOf(saml.providerArn, SAML_PROVIDER_ARN));
      if (!saml.providerArn.includes(`::${ctx.account.id}:`)) problems.add('saml.providerArn', `must be a provider of this account (${ctx.account.id}): Client VPN uses the SAML provider of its own account`);
    }
    const cert = config.serverCertificate;
    if (cert !== undefined && 'arn' in cert) {
      problems.check('serverCertificate.arn', arnOf(cert.arn, { ...ACM_CERTIFICATE_ARN, region: new RegExp(`^${ctx.region}$`) }));
      if (!cert.arn.includes(`:${ctx.account.id}:`)) problems.add('serverCertificate.arn', `must be a certificate of this account (${ctx.account.id})`);
    } else if (cert !== undefined) {
      problems.nest('serverCertificate', subZoneNameProblems('', cert, ctx).map((p) => ({ ...p, field: p.field.replace(/^\./, '') })));
    } else {
      problems.add('serverCertificate', 'is missing: a Client VPN endpoint presents an ACM certificate in every authentication mode');
    }
    const network = networkOf(config, ctx);
    if (typeof network === 'string') problems.add('networkLayer', network);
    const subnetCount = config.subnetCount ?? 2;
    problems.check('subnetCount', integerBetween(subnetCount, 1, typeof network === 'string' ? 6 : network.privateSubnets.length, 'private subnets of the VPC'));
    if (config.kmsKeySource !== undefined) problems.check('kmsKeySource', oneOf(config.kmsKeySource, ['security-layer', 'own']));
    if (config.sessionTimeoutHours !== undefined) problems.check('sessionTimeoutHours', oneOf<number>(config.sessionTimeoutHours, [...CLIENT_VPN_SESSION_HOURS]));

    const ranges = accessRanges(config, ctx, problems);
    const groups = identityGroups(config, ctx, problems);
    const production = ['prd', 'prod', 'production'].includes(ctx.account.environment);
    if ((config.access ?? []).length === 0) problems.add('access', 'opens nothing: list the networks people may reach, by group');
    for (const { cidr, rule, index } of ranges) {
      const field = `access[${index}]`;
      if ((rule.groups ?? []).length === 0 && rule.allGroups !== true) problems.add(`${field}.groups`, 'names no group (or set allGroups: true)');
      if ((rule.groups ?? []).length > 0 && rule.allGroups === true) problems.add(field, 'names groups and allGroups: choose one');
      for (const g of rule.groups ?? []) if (groups && !groups.includes(g)) problems.add(`${field}.groups`, `"${g}" is not a group of the identities layer (${groups.join(', ')})`);
      const parsed = parseCidr(cidr);
      if (rule.allGroups === true && production && typeof parsed !== 'string' && parsed.prefix === 0) {
        problems.add(field, 'opens 0.0.0.0/0 to every authenticated person in a production account: name the groups');
      }
    }
    // The module's rules (client range size and overlaps, session, banner, retention), under this config's names.
    const moduleProblems = clientVpnEndpointPropProblems({
      clientCidr: config.clientCidr,
      vpcCidr: typeof network === 'string' ? undefined : network.vpc.text,
      bannerText: config.bannerText,
      logRetentionDays: config.logRetentionDays,
      dnsServers: config.dnsServers,
    });
    for (const p of moduleProblems) problems.add(p.field, p.message);
    if (typeof network !== 'string') for (const p of routingProblems(config, ctx, network, ranges)) problems.add(p.field, p.message);
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: ClientVpnConfig) {
    super(scope, ctx);
    const network = networkOf(config, ctx) as Network;
    const subnetCount = config.subnetCount ?? 2;
    const sourceCidrs = network.privateSubnets.slice(0, subnetCount);
    const name = this.resourceName('client-vpn');
    const certificateArn = this.serverCertificate(config.serverCertificate);
    const samlProviderArn = this.samlProvider('saml-provider', name, config.saml.metadataFile, config.saml.providerArn);
    const selfServiceArn = config.saml.selfServiceMetadataFile === undefined
      ? undefined
      : this.samlProvider('self-service-saml-provider', `${name}-self-service`, config.saml.selfServiceMetadataFile, undefined);
    if (samlProviderArn === undefined) {
      // Real synth with the metadata still pending: no endpoint yet (nothing else depends on it existing).
      this.publish(clientVpnContract, {
        client_vpn_endpoint_id: '', dns_name: '', client_cidr_block: config.clientCidr, source_cidr_blocks: sourceCidrs, security_group_id: '', connection_log_group_name: '',
      });
      return;
    }
    const remoteNetwork = this.remote(baseNetworkContract, { layer: config.networkLayer ?? 'base-network' });
    const identities = this.remote(identitiesContract, { account: config.identitiesAccount ?? ctx.org.project.managementAccount, layer: config.identitiesLayer ?? 'identities' });
    const groupNames = identities.get('group_names');
    const groupIds = identities.get('group_ids');
    const groupId = (group: string): string => Fn.element(groupIds, Token.asNumber(Fn.index(groupNames, group))) as string;
    const authorizations: ClientVpnAuthorization[] = accessRanges(config, ctx).flatMap<ClientVpnAuthorization>(({ cidr, rule }) => rule.allGroups
      ? [{ cidr, allGroups: true, description: `${describe(rule)}: every authenticated person` }]
      : (rule.groups ?? []).map((g) => ({ cidr, groupId: groupId(g), description: `${describe(rule)}: group ${g}` })));
    const vpn = new ClientVpnEndpoint(this, 'vpn', {
      name,
      vpcId: remoteNetwork.get('vpc_id'),
      vpcCidr: network.vpc.text,
      subnetIds: sourceCidrs.map((_, i) => Fn.element(remoteNetwork.get('private_subnet_ids'), i) as string),
      clientCidr: config.clientCidr,
      serverCertificateArn: certificateArn,
      samlProviderArn,
      selfServiceSamlProviderArn: selfServiceArn,
      authorizations,
      dnsServers: config.dnsServers ?? [formatIp(network.vpc.base + 2)],
      sessionTimeoutHours: config.sessionTimeoutHours,
      bannerText: config.bannerText,
      logKmsKeyArn: this.logsKey(config),
      logRetentionDays: config.logRetentionDays,
    });
    this.publish(clientVpnContract, {
      client_vpn_endpoint_id: vpn.endpoint.id,
      dns_name: vpn.endpoint.dnsName,
      client_cidr_block: config.clientCidr,
      source_cidr_blocks: sourceCidrs,
      security_group_id: vpn.securityGroup.id,
      connection_log_group_name: vpn.logGroup.name,
    });
  }

  private serverCertificate(cert: ClientVpnConfig['serverCertificate']): string {
    if ('arn' in cert) return cert.arn;
    const name = subZoneName(this.ctx, cert)!;
    const zone = this.remote(dnsZoneContract, { layer: cert.zoneLayer ?? DEFAULT_ZONE_LAYER });
    // RSA 2048: Client VPN takes RSA keys of 1024 or 2048 bits only.
    return new DnsValidatedCertificate(this, 'server-certificate', { domainNames: [name.name], zoneId: zone.get('zone_id'), keyAlgorithm: 'RSA_2048' }).arn;
  }

  /**
   * The IAM SAML provider of a metadata file, or the ARN given. A pending file gives an offline document in the
   * sandbox and no provider (undefined) in a real synth.
   */
  private samlProvider(id: string, name: string, file: string | undefined, arn: string | undefined): string | undefined {
    if (arn !== undefined) return arn;
    if (file === PENDING_SAML_METADATA && !this.ctx.org.mode.sandbox) return undefined;
    const document = file === PENDING_SAML_METADATA ? SANDBOX_SAML_METADATA : fs.readFileSync(file!, 'utf8');
    return new IamSamlProvider(this, id, { name, samlMetadataDocument: document }).arn;
  }

  private logsKey(config: ClientVpnConfig): string {
    const source = config.kmsKeySource ?? (declaresLayer(this.ctx, securityContract) ? 'security-layer' : 'own');
    if (source === 'security-layer') return this.remote(securityContract).get('logs_kms_key_arn');
    const key = new KmsKey(this, 'logs-key', {
      alias: this.resourceName('client-vpn-logs'),
      description: `Encrypts the Client VPN connection logs of ${this.ctx.account.name}`,
      accountId: this.ctx.account.id,
    });
    key.grantToService('logs', { region: this.ctx.region, accountId: this.ctx.account.id });
    return key.arn;
  }
}

function describe(rule: ClientVpnAccessRule): string {
  return rule.account !== undefined ? `VPC of ${rule.account}` : `range ${rule.cidr}`;
}

/** The group names of the identities layer the rules name (undefined, with a problem, when it is missing). */
function identityGroups(config: ClientVpnConfig, ctx: LayerContext, problems: FieldProblems): string[] | undefined {
  const account = config.identitiesAccount ?? ctx.org.project.managementAccount;
  const known = knownAccount(ctx.org, account);
  if (known) return void problems.add('identitiesAccount', known);
  const identities = declaredLayer(ctx.org, account, config.identitiesLayer ?? 'identities', Identities);
  if (typeof identities === 'string') return void problems.add('identitiesLayer', `${identities}: the rules name its Identity Center groups`);
  return Object.keys(identities.config.groups ?? {});
}

/**
 * Every range outside the VPC must be carried by the transit gateway: a transit-routes layer of this account sends
 * it from the private route tables (where the endpoint's interfaces are), and the hub lets this VPC's domain and the
 * target's reach each other (the replies come back to the associated subnets, whose range the hub must route).
 */
function routingProblems(config: ClientVpnConfig, ctx: LayerContext, network: Network, ranges: readonly Access[]): FieldProblem[] {
  const problems = new FieldProblems();
  const networkLayer = config.networkLayer ?? 'base-network';
  const outside = new Set(routedRanges(ranges.map((r) => ({ cidr: r.cidr, allGroups: true })), network.vpc.text));
  const routes = [...ctx.account.layers.entries()].flatMap(([layer]) => {
    const declared = declaredLayer(ctx.org, ctx.account.name, layer, TransitRoutes);
    if (typeof declared === 'string') return [];
    const attachmentLayer = declared.config.attachmentLayer ?? 'transit-attachment';
    const attachment = declaredLayer(ctx.org, ctx.account.name, attachmentLayer, TransitAttachment);
    if (typeof attachment === 'string' || TransitAttachment.facts(attachment.config).networkLayer !== networkLayer) return [];
    if (!(declared.config.routeTiers ?? ['private', 'database']).includes('private')) return [];
    return [{ layer, attachmentLayer, hubAccount: TransitAttachment.facts(attachment.config).hubAccount, config: declared.config }];
  });
  for (const { cidr, rule, index } of ranges) {
    if (!outside.has(cidr)) continue;
    const target = parseCidr(cidr);
    if (typeof target === 'string') continue;
    const carrier = routes.find((r) => (r.config.destinations ?? ['10.0.0.0/8']).some((d) => {
      const dest = parseCidr(d);
      return typeof dest !== 'string' && contains(dest, target);
    }));
    if (!carrier) {
      problems.add(`access[${index}]`, `${cidr} is outside the VPC and no transit-routes layer of ${ctx.account.name} sends it to the hub from the private subnets: add it to that layer's destinations`);
      continue;
    }
    if (rule.account === undefined) continue;
    const hubRoutes = declaredLayer(ctx.org, carrier.hubAccount, 'network-hub-routes', NetworkHubRoutes);
    if (typeof hubRoutes === 'string') continue; // transit-routes reports it
    const domainOf = (account: string) => hubRoutes.config.attachments.find((a) => a.account === account)?.domain;
    const mine = domainOf(ctx.account.name);
    const theirs = domainOf(rule.account);
    if (mine === undefined || theirs === undefined) {
      problems.add(`access[${index}].account`, `${carrier.hubAccount}/network-hub-routes does not route ${mine === undefined ? ctx.account.name : rule.account}: add its attachment there`);
      continue;
    }
    const reach = hubRoutes.config.reachability;
    if (!(reach[mine] ?? []).includes(theirs) || !(reach[theirs] ?? []).includes(mine)) {
      problems.add(`access[${index}].account`, `the hub keeps domain ${mine} (${ctx.account.name}) and ${theirs} (${rule.account}) apart: list each in the other's reachability in ${carrier.hubAccount}/network-hub-routes`);
    }
  }
  return problems.list;
}

/**
 * An offline IdP metadata document for sandbox plans while the real one is pending; never in a real synth. Its
 * "certificate" is filler: the provider refuses documents under 1000 characters before anything reaches AWS.
 */
const SANDBOX_SAML_METADATA = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sandbox.invalid/saml">',
  '  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
  '    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>',
  `      <ds:X509Certificate>${'U0FOREJPWE5PVEFDRVJUSUZJQ0FURQ'.repeat(40)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
  '    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sandbox.invalid/saml/sso"/>',
  '  </md:IDPSSODescriptor>',
  '</md:EntityDescriptor>',
].join('\n');
