import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { MetricAlarm } from './metric-alarm';

export interface CisMetricFilter {
  /** Metric and alarm suffix. */
  readonly id: string;
  /** CIS AWS Foundations Benchmark v3 control (v1.4 numbering in brackets where it differs). */
  readonly control: string;
  readonly description: string;
  /** CloudWatch Logs filter pattern over CloudTrail events, as the benchmark gives it. */
  readonly pattern: string;
}

const anyOf = (names: readonly string[]): string => names.map((n) => `($.eventName = ${n})`).join(' || ');

/** The CIS v3 section 4 (monitoring) metric filters over the CloudTrail log group. */
export const CIS_METRIC_FILTERS: readonly CisMetricFilter[] = [
  {
    id: 'unauthorized-api-calls',
    control: '4.1',
    description: 'Unauthorized API calls',
    pattern: '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
  },
  {
    id: 'console-login-without-mfa',
    control: '4.2',
    description: 'Management console sign-in without MFA',
    pattern: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  },
  {
    id: 'root-account-usage',
    control: '4.3',
    description: 'Usage of the root user',
    pattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  },
  {
    id: 'iam-policy-changes',
    control: '4.4',
    description: 'IAM policy changes',
    pattern: `{ ${anyOf(['DeleteGroupPolicy', 'DeleteRolePolicy', 'DeleteUserPolicy', 'PutGroupPolicy', 'PutRolePolicy', 'PutUserPolicy',
      'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'AttachRolePolicy', 'DetachRolePolicy',
      'AttachUserPolicy', 'DetachUserPolicy', 'AttachGroupPolicy', 'DetachGroupPolicy'])} }`,
  },
  {
    id: 'cloudtrail-configuration-changes',
    control: '4.5',
    description: 'CloudTrail configuration changes',
    pattern: `{ ${anyOf(['CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging'])} }`,
  },
  {
    id: 'console-authentication-failures',
    control: '4.6',
    description: 'Management console authentication failures',
    pattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
  },
  {
    id: 'cmk-disable-or-deletion',
    control: '4.7',
    description: 'Disabling or scheduled deletion of customer managed keys',
    pattern: `{ ($.eventSource = kms.amazonaws.com) && (${anyOf(['DisableKey', 'ScheduleKeyDeletion'])}) }`,
  },
  {
    id: 's3-bucket-policy-changes',
    control: '4.8',
    description: 'S3 bucket policy changes',
    pattern: `{ ($.eventSource = s3.amazonaws.com) && (${anyOf(['PutBucketAcl', 'PutBucketPolicy', 'PutBucketCors', 'PutBucketLifecycle',
      'PutBucketReplication', 'DeleteBucketPolicy', 'DeleteBucketCors', 'DeleteBucketLifecycle', 'DeleteBucketReplication'])}) }`,
  },
  {
    id: 'config-changes',
    control: '4.9',
    description: 'AWS Config configuration changes',
    pattern: `{ ($.eventSource = config.amazonaws.com) && (${anyOf(['StopConfigurationRecorder', 'DeleteDeliveryChannel', 'PutDeliveryChannel', 'PutConfigurationRecorder'])}) }`,
  },
  {
    id: 'security-group-changes',
    control: '4.10',
    description: 'Security group changes',
    pattern: `{ ${anyOf(['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress',
      'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup'])} }`,
  },
  {
    id: 'nacl-changes',
    control: '4.11',
    description: 'Network ACL changes',
    pattern: `{ ${anyOf(['CreateNetworkAcl', 'CreateNetworkAclEntry', 'DeleteNetworkAcl', 'DeleteNetworkAclEntry',
      'ReplaceNetworkAclEntry', 'ReplaceNetworkAclAssociation'])} }`,
  },
  {
    id: 'network-gateway-changes',
    control: '4.12',
    description: 'Network gateway changes',
    pattern: `{ ${anyOf(['CreateCustomerGateway', 'DeleteCustomerGateway', 'AttachInternetGateway', 'CreateInternetGateway',
      'DeleteInternetGateway', 'DetachInternetGateway'])} }`,
  },
  {
    id: 'route-table-changes',
    control: '4.13',
    description: 'Route table changes',
    pattern: `{ ($.eventSource = ec2.amazonaws.com) && (${anyOf(['CreateRoute', 'CreateRouteTable', 'ReplaceRoute',
      'ReplaceRouteTableAssociation', 'DeleteRouteTable', 'DeleteRoute', 'DisassociateRouteTable'])}) }`,
  },
  {
    id: 'vpc-changes',
    control: '4.14',
    description: 'VPC changes',
    pattern: `{ ${anyOf(['CreateVpc', 'DeleteVpc', 'ModifyVpcAttribute', 'AcceptVpcPeeringConnection', 'CreateVpcPeeringConnection',
      'DeleteVpcPeeringConnection', 'RejectVpcPeeringConnection', 'AttachClassicLinkVpc', 'DetachClassicLinkVpc',
      'DisableVpcClassicLink', 'EnableVpcClassicLink'])} }`,
  },
  {
    id: 'organizations-changes',
    control: '4.15',
    description: 'AWS Organizations changes',
    pattern: `{ ($.eventSource = organizations.amazonaws.com) && (${anyOf(['AcceptHandshake', 'AttachPolicy', 'CreateAccount',
      'CreateOrganizationalUnit', 'CreatePolicy', 'DeclineHandshake', 'DeleteOrganization', 'DeleteOrganizationalUnit', 'DeletePolicy',
      'DetachPolicy', 'DisablePolicyType', 'EnablePolicyType', 'InviteAccountToOrganization', 'LeaveOrganization', 'MoveAccount',
      'RemoveAccountFromOrganization', 'UpdatePolicy', 'UpdateOrganizationalUnit'])}) }`,
  },
];

export interface CisAlarmsProps {
  /** CloudWatch log group receiving the CloudTrail events. */
  readonly logGroupName: string;
  /** Topic the alarms notify (encrypted; its key must admit cloudwatch.amazonaws.com). */
  readonly alarmTopicArn: string;
  /** Alarm name prefix, e.g. `acme-security`. */
  readonly namePrefix: string;
  /** @default 'CISBenchmark' */
  readonly namespace?: string;
  /** @default CIS_METRIC_FILTERS */
  readonly filters?: readonly CisMetricFilter[];
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** One metric filter and one alarm (any occurrence in 5 minutes) per CIS monitoring control. */
export class CisAlarms extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: CisAlarmsProps) {
    super(scope, id);
    const provider = props.provider;
    this.namespace = props.namespace ?? 'CISBenchmark';
    for (const filter of props.filters ?? CIS_METRIC_FILTERS) {
      const metric = new CloudwatchLogMetricFilter(this, `filter-${filter.id}`, {
        provider,
        name: filter.id,
        logGroupName: props.logGroupName,
        pattern: filter.pattern,
        metricTransformation: { name: filter.id, namespace: this.namespace, value: '1', defaultValue: '0' },
      });
      // Any occurrence is worth a look; no "OK" mail once the 5 minutes have passed (nothing was undone).
      this.alarms.push(new MetricAlarm(this, `alarm-${filter.id}`, {
        provider,
        name: `${props.namePrefix}-cis-${filter.id}`,
        description: `CIS ${filter.control}: ${filter.description}`,
        metric: { namespace: this.namespace, metricName: filter.id, statistic: 'Sum' },
        threshold: 1,
        comparison: 'GreaterThanOrEqualToThreshold',
        alarmTopicArn: props.alarmTopicArn,
        notifyOnOk: false,
        dependsOn: [metric],
      }).alarm);
    }
  }
}
