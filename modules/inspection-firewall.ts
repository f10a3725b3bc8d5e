import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogResourcePolicy } from '@cdktf/provider-aws/lib/cloudwatch-log-resource-policy';
import { NetworkfirewallFirewall } from '@cdktf/provider-aws/lib/networkfirewall-firewall';
import { NetworkfirewallFirewallPolicy } from '@cdktf/provider-aws/lib/networkfirewall-firewall-policy';
import { NetworkfirewallLoggingConfiguration } from '@cdktf/provider-aws/lib/networkfirewall-logging-configuration';
import { NetworkfirewallRuleGroup } from '@cdktf/provider-aws/lib/networkfirewall-rule-group';
import { Construct } from 'constructs';
import { parseCidr } from '../lib/cidr';
import type { FieldProblem } from '../lib/layer-stack';
import { FieldProblems, integerBetween, logRetentionDays, repeated } from '../lib/validators';
import { LOG_STREAM_WRITE_ACTIONS } from './perms';
import { oneOrMany, policyDocument } from './policy';
import { refuseProblems } from './prop-problems';

/** The log types a firewall without TLS inspection writes. */
export const FIREWALL_LOG_TYPES = ['ALERT', 'FLOW'] as const;
export type FirewallLogType = (typeof FIREWALL_LOG_TYPES)[number];

/** Where the firewall's logs go: KMS-encrypted log groups of this account (the default), or a bucket. */
export type FirewallLogDestination =
  | { readonly logGroups: { readonly kmsKeyArn: string; readonly retentionDays: number } }
  | { readonly bucket: { readonly name: string; readonly prefix?: string } };

export interface InspectionFirewallProps {
  /** Name of the firewall; its policy and rule groups are named after it. 1-128 letters, digits and hyphens. */
  readonly name: string;
  readonly vpcId: string;
  /** One firewall subnet per AZ, in `azs` order: the firewall puts one endpoint in each. */
  readonly subnetIds: readonly string[];
  readonly azs: readonly string[];
  readonly accountId: string;
  readonly region: string;
  /**
   * Domains the organisation may reach over HTTPS (TLS SNI) and HTTP (Host header); `.example.com` also matches every
   * sub-domain. Any other HTTP or TLS flow to the internet is dropped.
   */
  readonly allowedDomains: readonly string[];
  /**
   * The organisation's ranges (Suricata `HOME_NET`). A domain list only inspects traffic from HOME_NET, which defaults
   * to the firewall's own VPC: behind a transit gateway it must name the spokes.
   * https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-domain-names.html
   */
  readonly homeNet: readonly string[];
  /** Capacity of the domain list rule group, fixed at creation: each domain takes one per protocol (two). @default 500 */
  readonly domainCapacity?: number;
  /** Delete, subnet-change and policy-change protection (refused by AWS until turned off). @default true */
  readonly protect?: boolean;
  readonly logs: FirewallLogDestination;
}

const NAME = /^[a-zA-Z0-9-]{1,128}$/;
/** A domain as a domain list takes it: a name, or `.name` for the name and its sub-domains. */
const DOMAIN = /^\.?(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
/** Stateful rule group capacity AWS accepts. https://docs.aws.amazon.com/network-firewall/latest/developerguide/quotas.html */
const MAX_STATEFUL_CAPACITY = 30000;

export function inspectionFirewallPropProblems(props: Partial<InspectionFirewallProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !NAME.test(props.name)) problems.add('name', `"${props.name}" must be 1-128 letters, digits and hyphens`);
  const domains = props.allowedDomains ?? [];
  if (props.allowedDomains !== undefined && domains.length === 0) {
    problems.add('allowedDomains', 'lists no domain: every HTTP and TLS flow to the internet would be dropped (list the domains the workloads need)');
  }
  domains.forEach((d, i) => {
    if (!DOMAIN.test(d)) problems.add(`allowedDomains[${i}]`, `"${d}" must be a lowercase domain name, or .name for the name and its sub-domains`);
  });
  const twice = repeated(domains);
  if (twice !== undefined) problems.add('allowedDomains', `lists "${twice}" twice`);
  (props.homeNet ?? []).forEach((range, i) => {
    const cidr = parseCidr(range);
    if (typeof cidr === 'string') problems.add(`homeNet[${i}]`, cidr);
    else if (cidr.prefix === 0) problems.add(`homeNet[${i}]`, `${range} would count the internet as the organisation's own network`);
  });
  const capacity = props.domainCapacity ?? 500;
  problems.check('domainCapacity', integerBetween(capacity, 1, MAX_STATEFUL_CAPACITY));
  if (Number.isInteger(capacity) && capacity < 2 * domains.length) {
    problems.add('domainCapacity', `${capacity} is below the ${2 * domains.length} the ${domains.length} domains need (one per domain and protocol, HTTP and TLS)`);
  }
  if (props.subnetIds !== undefined && props.azs !== undefined && props.subnetIds.length !== props.azs.length) {
    problems.add('subnetIds', `lists ${props.subnetIds.length} subnets for ${props.azs.length} AZs`);
  }
  if (props.logs !== undefined && 'logGroups' in props.logs) problems.check('logs.logGroups.retentionDays', logRetentionDays(props.logs.logGroups.retentionDays));
  return problems.list;
}

/** The Suricata rule passing the organisation's own traffic (between HOME_NET addresses), before the domain list. */
export const INTERNAL_PASS_RULE = 'pass ip $HOME_NET any -> $HOME_NET any (msg:"traffic between the organisation\'s networks, routed here by the hub"; sid:1000001; rev:1;)';

/**
 * AWS Network Firewall for a centralised inspection VPC: a strict-order policy (stateless traffic all forwarded to the
 * stateful engine; established flows no rule passes are dropped and alerted), a rule group passing the organisation's
 * own traffic (the hub's route tables decide which networks may talk; the firewall logs them), a domain allow-list
 * for egress (TLS SNI and HTTP Host), the firewall with one endpoint per AZ, and ALERT and FLOW logs.
 *
 * Strict order with `aws:drop_established`: rule groups are evaluated by priority, and a flow no rule passes is dropped
 * once established, which lets the TCP handshake through so that the domain rules can read the SNI or Host header.
 * https://docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-rule-evaluation-order.html
 */
export class InspectionFirewall extends Construct {
  readonly firewall: NetworkfirewallFirewall;
  readonly policy: NetworkfirewallFirewallPolicy;
  readonly domainRuleGroup: NetworkfirewallRuleGroup;
  readonly internalRuleGroup: NetworkfirewallRuleGroup;
  readonly logging: NetworkfirewallLoggingConfiguration;
  /** Log groups by log type, when the logs go to CloudWatch Logs. */
  readonly logGroups: Partial<Record<FirewallLogType, CloudwatchLogGroup>> = {};

  constructor(scope: Construct, id: string, props: InspectionFirewallProps) {
    super(scope, id);
    refuseProblems(scope, id, inspectionFirewallPropProblems(props));
    const { name } = props;
    const homeNet = { ipSets: [{ key: 'HOME_NET', ipSet: { definition: [...props.homeNet] } }] };
    this.internalRuleGroup = new NetworkfirewallRuleGroup(this, 'internal', {
      name: `${name}-internal`,
      description: 'Passes traffic between the organisation\'s networks; the hub route tables decide which may talk',
      type: 'STATEFUL',
      capacity: 10,
      ruleGroup: {
        ruleVariables: homeNet,
        rulesSource: { rulesString: INTERNAL_PASS_RULE },
        statefulRuleOptions: { ruleOrder: 'STRICT_ORDER' },
      },
    });
    this.domainRuleGroup = new NetworkfirewallRuleGroup(this, 'egress-domains', {
      name: `${name}-egress-domains`,
      description: 'Domains the organisation may reach on the internet (TLS SNI, HTTP Host); other HTTP and TLS flows are dropped',
      type: 'STATEFUL',
      capacity: props.domainCapacity ?? 500,
      ruleGroup: {
        ruleVariables: homeNet,
        rulesSource: { rulesSourceList: { generatedRulesType: 'ALLOWLIST', targetTypes: ['TLS_SNI', 'HTTP_HOST'], targets: [...props.allowedDomains] } },
        statefulRuleOptions: { ruleOrder: 'STRICT_ORDER' },
      },
    });
    this.policy = new NetworkfirewallFirewallPolicy(this, 'policy', {
      name: `${name}-policy`,
      description: `Policy of ${name}: internal traffic passes, egress only to allowed domains, everything else dropped`,
      firewallPolicy: {
        statelessDefaultActions: ['aws:forward_to_sfe'],
        statelessFragmentDefaultActions: ['aws:forward_to_sfe'],
        statefulEngineOptions: { ruleOrder: 'STRICT_ORDER', streamExceptionPolicy: 'DROP' },
        statefulDefaultActions: ['aws:drop_established', 'aws:alert_established'],
        statefulRuleGroupReference: [
          { priority: 100, resourceArn: this.internalRuleGroup.arn },
          { priority: 200, resourceArn: this.domainRuleGroup.arn },
        ],
      },
    });
    const protect = props.protect ?? true;
    this.firewall = new NetworkfirewallFirewall(this, 'firewall', {
      name,
      description: `Inspects the traffic the transit gateway sends through ${name}`,
      vpcId: props.vpcId,
      firewallPolicyArn: this.policy.arn,
      subnetMapping: props.subnetIds.map((subnetId) => ({ subnetId })),
      deleteProtection: protect,
      subnetChangeProtection: protect,
      firewallPolicyChangeProtection: protect,
    });
    this.logging = this.logTo(props);
  }

  /**
   * The id of the firewall endpoint in `az`, from the firewall's sync states (known once the firewall exists): route
   * tables of that AZ send traffic there, so that it never crosses AZs.
   */
  endpointIn(az: string): string {
    return `\${[for s in ${this.firewall.fqn}.firewall_status[0].sync_states : s.attachment[0].endpoint_id if s.availability_zone == "${az}"][0]}`;
  }

  private logTo(props: InspectionFirewallProps): NetworkfirewallLoggingConfiguration {
    const { name, accountId, region } = props;
    if ('bucket' in props.logs) {
      const { bucket } = props.logs;
      return new NetworkfirewallLoggingConfiguration(this, 'logging', {
        firewallArn: this.firewall.arn,
        loggingConfiguration: {
          logDestinationConfig: FIREWALL_LOG_TYPES.map((logType) => ({
            logType,
            logDestinationType: 'S3',
            logDestination: { bucketName: bucket.name, ...(bucket.prefix ? { prefix: bucket.prefix } : {}) },
          })),
        },
      });
    }
    const { kmsKeyArn, retentionDays } = props.logs.logGroups;
    for (const type of FIREWALL_LOG_TYPES) {
      this.logGroups[type] = new CloudwatchLogGroup(this, `${type.toLowerCase()}-logs`, {
        name: `/aws/network-firewall/${name}/${type.toLowerCase()}`,
        retentionInDays: retentionDays,
        kmsKeyId: kmsKeyArn,
      });
    }
    const groups = FIREWALL_LOG_TYPES.map((t) => this.logGroups[t]!);
    // The firewall's logs are "vended logs" written by the log delivery service: the log groups' resource policy admits
    // it for this account's deliveries only. Created here rather than left to the first CreateLogDelivery call, so that
    // Terraform owns it and the logging configuration waits for it.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html
    const delivery = new CloudwatchLogResourcePolicy(this, 'log-delivery-policy', {
      policyName: `${name}-log-delivery`,
      policyDocument: policyDocument([{
        Sid: 'AWSLogDeliveryWrite',
        Effect: 'Allow',
        Principal: { Service: 'delivery.logs.amazonaws.com' },
        Action: oneOrMany(LOG_STREAM_WRITE_ACTIONS),
        Resource: groups.map((g) => `${g.arn}:log-stream:*`),
        Condition: {
          StringEquals: { 'aws:SourceAccount': accountId },
          ArnLike: { 'aws:SourceArn': `arn:aws:logs:${region}:${accountId}:*` },
        },
      }]),
    });
    return new NetworkfirewallLoggingConfiguration(this, 'logging', {
      firewallArn: this.firewall.arn,
      loggingConfiguration: {
        logDestinationConfig: FIREWALL_LOG_TYPES.map((logType, i) => ({
          logType,
          logDestinationType: 'CloudWatchLogs',
          logDestination: { logGroup: groups[i].name },
        })),
      },
      dependsOn: [delivery],
    });
  }
}
