import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogStream } from '@cdktf/provider-aws/lib/cloudwatch-log-stream';
import { Ec2ClientVpnAuthorizationRule } from '@cdktf/provider-aws/lib/ec2-client-vpn-authorization-rule';
import { Ec2ClientVpnEndpoint } from '@cdktf/provider-aws/lib/ec2-client-vpn-endpoint';
import { Ec2ClientVpnNetworkAssociation } from '@cdktf/provider-aws/lib/ec2-client-vpn-network-association';
import { Ec2ClientVpnRoute } from '@cdktf/provider-aws/lib/ec2-client-vpn-route';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { contains, overlaps, parseCidr } from '../lib/cidr';
import type { FieldProblem } from '../lib/layer-stack';
import { FieldProblems, logRetentionDays, oneOf, repeated } from '../lib/validators';
import { refuseProblems } from './prop-problems';

/** Session lengths Client VPN accepts, hours. https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/cvpn-working-max-duration.html */
export const CLIENT_VPN_SESSION_HOURS = [8, 10, 12, 24] as const;
export type ClientVpnSessionHours = (typeof CLIENT_VPN_SESSION_HOURS)[number];
/** Ports Client VPN listens on. */
export const CLIENT_VPN_PORTS = [443, 1194] as const;
/** Longest login banner Client VPN accepts, characters. */
export const CLIENT_VPN_BANNER_MAX = 1400;

/** One authorization rule: who (an Identity Center group, or every authenticated user) may reach a range. */
export interface ClientVpnAuthorization {
  /** The range the rule opens. */
  readonly cidr: string;
  /** Identity store group id the SAML assertion's `memberOf` carries; exclusive with `allGroups`. */
  readonly groupId?: string;
  /** Every authenticated user. @default false */
  readonly allGroups?: boolean;
  /** @default - none */
  readonly description?: string;
}

export interface ClientVpnEndpointProps {
  /** Prefix of the endpoint, log group and security group names, e.g. `acme-network-client-vpn`. */
  readonly name: string;
  readonly vpcId: string;
  /** Range of the VPC the endpoint is associated with (the route to it is added by AWS with each association). */
  readonly vpcCidr: string;
  /** Subnets to associate, one per AZ (AWS refuses two of one AZ); each costs an hourly association fee. */
  readonly subnetIds: readonly string[];
  /** Addresses given to connected clients, /12 to /22, fixed at creation; it may overlap neither the VPC nor a route. */
  readonly clientCidr: string;
  /** ACM certificate the endpoint presents (RSA 2048 or 1024, with a domain name). */
  readonly serverCertificateArn: string;
  /** IAM SAML provider of the identity provider's application (same account as the endpoint). */
  readonly samlProviderArn: string;
  /** IAM SAML provider of the self-service portal's application. @default - no self-service portal */
  readonly selfServiceSamlProviderArn?: string;
  /** Who may reach which range; ranges outside the VPC also get a route through every associated subnet. */
  readonly authorizations: readonly ClientVpnAuthorization[];
  /** DNS servers pushed to clients. @default - the clients keep their own */
  readonly dnsServers?: readonly string[];
  /** @default 8 */
  readonly sessionTimeoutHours?: ClientVpnSessionHours;
  /** @default 'udp' */
  readonly transportProtocol?: 'udp' | 'tcp';
  /** @default 443 */
  readonly vpnPort?: (typeof CLIENT_VPN_PORTS)[number];
  /** Text shown by the AWS-provided client when a session starts. @default - no banner */
  readonly bannerText?: string;
  /** KMS key of the connection log group (its policy must admit CloudWatch Logs of the region). */
  readonly logKmsKeyArn: string;
  /** @default 365 */
  readonly logRetentionDays?: number;
}

/** Problems of the props that need no AWS, by prop name. */
export function clientVpnEndpointPropProblems(props: Partial<ClientVpnEndpointProps>): FieldProblem[] {
  const problems = new FieldProblems();
  const client = props.clientCidr === undefined ? undefined : parseCidr(props.clientCidr);
  if (typeof client === 'string') problems.add('clientCidr', client);
  else if (client && (client.prefix < 12 || client.prefix > 22)) {
    problems.add('clientCidr', `${client.text}: a client range must be between /12 and /22 (AWS keeps part of it; plan twice the concurrent connections)`);
  }
  const vpc = props.vpcCidr === undefined || Token.isUnresolved(props.vpcCidr) ? undefined : parseCidr(props.vpcCidr);
  if (client && typeof client !== 'string' && vpc && typeof vpc !== 'string' && overlaps(client, vpc)) {
    problems.add('clientCidr', `${client.text} overlaps the VPC ${vpc.text} the endpoint is associated with`);
  }
  if (props.sessionTimeoutHours !== undefined) problems.check('sessionTimeoutHours', oneOf<number>(props.sessionTimeoutHours, [...CLIENT_VPN_SESSION_HOURS]));
  if (props.vpnPort !== undefined) problems.check('vpnPort', oneOf<number>(props.vpnPort, [...CLIENT_VPN_PORTS]));
  if (props.transportProtocol !== undefined) problems.check('transportProtocol', oneOf(props.transportProtocol, ['udp', 'tcp']));
  if (props.bannerText !== undefined && (props.bannerText.length === 0 || props.bannerText.length > CLIENT_VPN_BANNER_MAX)) {
    problems.add('bannerText', `must be 1 to ${CLIENT_VPN_BANNER_MAX} characters`);
  }
  if (props.logRetentionDays !== undefined) problems.check('logRetentionDays', logRetentionDays(props.logRetentionDays));
  if (props.subnetIds !== undefined && props.subnetIds.length === 0) problems.add('subnetIds', 'lists no subnet: a Client VPN endpoint without an association carries nothing');
  (props.dnsServers ?? []).forEach((d, i) => {
    if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(d)) problems.add(`dnsServers[${i}]`, `"${d}" is not an IPv4 address`);
  });
  if ((props.dnsServers ?? []).length > 2) problems.add('dnsServers', 'Client VPN takes at most two DNS servers');
  const rules = props.authorizations ?? [];
  if (props.authorizations !== undefined && rules.length === 0) problems.add('authorizations', 'lists no rule: nobody could reach anything');
  rules.forEach((rule, i) => {
    const field = `authorizations[${i}]`;
    const cidr = parseCidr(rule.cidr);
    if (typeof cidr === 'string') problems.add(`${field}.cidr`, cidr);
    else if (client && typeof client !== 'string' && overlaps(cidr, client)) problems.add(`${field}.cidr`, `${cidr.text} overlaps the client range ${client.text}`);
    if ((rule.groupId === undefined) === (rule.allGroups !== true)) problems.add(field, 'names either one group (groupId) or every group (allGroups: true)');
  });
  const twice = repeated(rules.map((r) => `${r.cidr} ${r.allGroups ? '*' : r.groupId}`));
  if (twice !== undefined) problems.add('authorizations', `opens ${twice.split(' ')[0]} to the same group twice`);
  return problems.list;
}

/** The distinct ranges of the rules outside `vpcCidr`: what needs a route besides the VPC's own. */
export function routedRanges(authorizations: readonly ClientVpnAuthorization[], vpcCidr: string): string[] {
  const vpc = parseCidr(vpcCidr);
  const ranges = [...new Set(authorizations.map((a) => a.cidr))];
  return ranges.filter((r) => {
    const cidr = parseCidr(r);
    return typeof cidr === 'string' || typeof vpc === 'string' || !contains(vpc, cidr);
  });
}

/**
 * An AWS Client VPN endpoint with SAML (federated) authentication: split tunnel (clients send only the endpoint's
 * routes through it), connection logs in a KMS-encrypted log group, a security group that lets the endpoint reach
 * the authorized ranges only, one association per subnet (AZ), an authorization rule per range and group, and a
 * route per range outside the VPC through every associated subnet.
 *
 * Client VPN translates the clients' addresses to the endpoint's interface in the associated subnet: workloads see
 * connections from those subnets' addresses, never from the client range, and admit those.
 * https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/what-is-best-practices.html
 */
export class ClientVpnEndpoint extends Construct {
  readonly endpoint: Ec2ClientVpnEndpoint;
  readonly securityGroup: SecurityGroup;
  readonly logGroup: CloudwatchLogGroup;
  readonly associations: Ec2ClientVpnNetworkAssociation[];

  constructor(scope: Construct, id: string, props: ClientVpnEndpointProps) {
    super(scope, id);
    refuseProblems(scope, id, clientVpnEndpointPropProblems(props));
    const { name } = props;
    this.logGroup = new CloudwatchLogGroup(this, 'connection-logs', {
      name: `/aws/client-vpn/${name}`,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.logKmsKeyArn,
    });
    const stream = new CloudwatchLogStream(this, 'connection-log-stream', { name: 'connections', logGroupName: this.logGroup.name });
    const ranges = [...new Set(props.authorizations.map((a) => a.cidr))];
    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name: `${name}-endpoint`,
      description: `Client VPN ${name}: to the authorized ranges only, nothing in`,
      vpcId: props.vpcId,
      ingress: [],
      egress: ranges.map((cidr) => ({ description: `Authorized range ${cidr}`, protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: [cidr] })),
      tags: { Name: `${name}-endpoint` },
    });
    this.endpoint = new Ec2ClientVpnEndpoint(this, 'endpoint', {
      description: name,
      clientCidrBlock: props.clientCidr,
      serverCertificateArn: props.serverCertificateArn,
      vpcId: props.vpcId,
      securityGroupIds: [this.securityGroup.id],
      splitTunnel: true,
      sessionTimeoutHours: props.sessionTimeoutHours ?? 8,
      disconnectOnSessionTimeout: true,
      transportProtocol: props.transportProtocol ?? 'udp',
      vpnPort: props.vpnPort ?? 443,
      dnsServers: props.dnsServers ? [...props.dnsServers] : undefined,
      selfServicePortal: props.selfServiceSamlProviderArn ? 'enabled' : 'disabled',
      authenticationOptions: [{
        type: 'federated-authentication',
        samlProviderArn: props.samlProviderArn,
        ...(props.selfServiceSamlProviderArn ? { selfServiceSamlProviderArn: props.selfServiceSamlProviderArn } : {}),
      }],
      connectionLogOptions: { enabled: true, cloudwatchLogGroup: this.logGroup.name, cloudwatchLogStream: stream.name },
      ...(props.bannerText ? { clientLoginBannerOptions: { enabled: true, bannerText: props.bannerText } } : {}),
      tags: { Name: name },
    });
    const endpointId = this.endpoint.id;
    this.associations = props.subnetIds.map((subnetId, i) => new Ec2ClientVpnNetworkAssociation(this, `association-${i}`, { clientVpnEndpointId: endpointId, subnetId }));
    props.authorizations.forEach((rule, i) => new Ec2ClientVpnAuthorizationRule(this, `authorization-${i}`, {
      clientVpnEndpointId: endpointId,
      targetNetworkCidr: rule.cidr,
      ...(rule.allGroups ? { authorizeAllGroups: true } : { accessGroupId: rule.groupId }),
      description: rule.description,
    }));
    // A route's target subnet must be associated first; one route per associated subnet keeps the range reachable
    // when an AZ fails.
    routedRanges(props.authorizations, props.vpcCidr).forEach((range, r) => {
      this.associations.forEach((association, i) => new Ec2ClientVpnRoute(this, `route-${r}-${i}`, {
        clientVpnEndpointId: endpointId,
        destinationCidrBlock: range,
        targetVpcSubnetId: association.subnetId,
        description: `${range} through the transit gateway`,
      }));
    });
  }
}
