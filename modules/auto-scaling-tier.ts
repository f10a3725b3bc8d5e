import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { AutoscalingSchedule } from '@cdktf/provider-aws/lib/autoscaling-schedule';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Fn, Token, type ITerraformDependable, type TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { capacityProblems, cidrBlock, FieldProblems, integerBetween, percentage, port, positiveInteger } from '../lib/validators';
import { INSTANCE_TYPE } from './eks-node-group';
import { serviceTrustPolicy } from './policy';

/** Latest Amazon Linux 2023, resolved by EC2 at launch from the public SSM parameter (no aws_ami look-up). */
export const AL2023_IMAGE = 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
/** The only managed policy instances get: Session Manager access instead of SSH. */
export const SSM_CORE_POLICY = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';

export interface ScheduledScaleDown {
  /** Cron (in `timeZone`) when the tier shrinks, e.g. `0 20 * * MON-FRI`. */
  readonly scaleDownRecurrence: string;
  /** Cron when the tier's normal sizes come back, e.g. `0 7 * * MON-FRI`. */
  readonly scaleUpRecurrence: string;
  /** Sizes outside working hours. */
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
  /** IANA time zone of both recurrences. @default 'UTC' */
  readonly timeZone?: string;
}

export interface AutoScalingTierProps {
  /** Prefix of every resource name, e.g. `acme-apps-prd-web`. Target group names are cut to 32 characters. */
  readonly name: string;
  readonly vpcId: string;
  /** Private subnets, one per AZ: instances never get public addresses. */
  readonly subnetIds: string[];
  readonly instanceType: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity: number;
  /** Port the instances serve on (target group and security group). */
  readonly port: number;
  /** KMS key encrypting the root volume; its policy must admit the Auto Scaling service-linked role. */
  readonly ebsKmsKeyArn: string;
  /** Load balancer in front, for the request-count metric, and its listener forwarding to this tier. */
  readonly loadBalancer: { readonly arnSuffix: string; readonly listener: ITerraformDependable };
  /** @default '/health' */
  readonly healthCheckPath?: string;
  /** Root volume size in GiB (gp3, encrypted). @default 20 */
  readonly volumeSizeGb?: number;
  /** Image id or SSM parameter reference. @default AL2023_IMAGE */
  readonly imageId?: string;
  /** Plain-text cloud-init user data (no secrets: read them at boot from Secrets Manager). @default - none */
  readonly userData?: string;
  /** Target average CPU for the CPU tracking policy. @default 50 */
  readonly cpuTargetPercent?: number;
  /** Target requests per instance for the ALBRequestCountPerTarget policy. @default 1000 */
  readonly requestsPerTarget?: number;
  /** Optional night/weekend scale-down. @default - none */
  readonly scheduledScaleDown?: ScheduledScaleDown;
  /** Ranges instances may reach on HTTPS (SSM, package repositories, AWS APIs through NAT or endpoints). @default ['0.0.0.0/0'] */
  readonly httpsEgressCidrs?: readonly string[];
  /** SNS topic notified by the tier's alarms. @default - alarms without actions */
  readonly alarmTopicArn?: string;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** A five-field cron recurrence (Auto Scaling scheduled actions). */
const RECURRENCE = /^\S+ \S+ \S+ \S+ \S+$/;
/** EC2 accepts at most 16 KB of user data before base64 encoding. */
const USER_DATA_MAX_BYTES = 16384;

/**
 * Problems of the props that need no AWS, by prop name: the instance type, the group's sizes (also those of the
 * scheduled scale-down, which may be zero), port, health check path, root volume, scaling targets and user data size.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html
 */
export function autoScalingTierPropProblems(props: Partial<AutoScalingTierProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.instanceType !== undefined && (typeof props.instanceType !== 'string' || !INSTANCE_TYPE.test(props.instanceType))) {
    problems.add('instanceType', `"${String(props.instanceType)}" is not an EC2 instance type`);
  }
  if (props.minSize !== undefined || props.desiredCapacity !== undefined || props.maxSize !== undefined) {
    const sizes = { min: props.minSize ?? 0, desired: props.desiredCapacity ?? 0, max: props.maxSize ?? 1 };
    for (const p of capacityProblems(sizes, { min: 'minSize', desired: 'desiredCapacity', max: 'maxSize' })) problems.add(p.field, p.message);
  }
  if (props.port !== undefined) problems.check('port', port(props.port));
  if (props.healthCheckPath !== undefined && !props.healthCheckPath.startsWith('/')) problems.add('healthCheckPath', `"${props.healthCheckPath}" must start with /`);
  if (props.volumeSizeGb !== undefined) problems.check('volumeSizeGb', integerBetween(props.volumeSizeGb, 8, 16384, 'GiB'));
  if (props.cpuTargetPercent !== undefined) problems.check('cpuTargetPercent', percentage(props.cpuTargetPercent));
  if (props.requestsPerTarget !== undefined) problems.check('requestsPerTarget', positiveInteger(props.requestsPerTarget));
  if (props.userData !== undefined && Buffer.byteLength(props.userData, 'utf8') > USER_DATA_MAX_BYTES) {
    problems.add('userData', `${Buffer.byteLength(props.userData, 'utf8')} bytes; EC2 accepts ${USER_DATA_MAX_BYTES} (read larger scripts from S3 at boot)`);
  }
  (props.httpsEgressCidrs ?? []).forEach((c, i) => problems.check(`httpsEgressCidrs[${i}]`, cidrBlock(c)));
  const schedule = props.scheduledScaleDown;
  if (schedule) {
    const sizes = { min: schedule.minSize, desired: schedule.desiredCapacity, max: schedule.maxSize };
    problems.nest('scheduledScaleDown', capacityProblems(sizes, { min: 'minSize', desired: 'desiredCapacity', max: 'maxSize' }, { allowZeroMax: true }));
    for (const key of ['scaleDownRecurrence', 'scaleUpRecurrence'] as const) {
      if (typeof schedule[key] !== 'string' || !RECURRENCE.test(schedule[key])) {
        problems.add(`scheduledScaleDown.${key}`, `"${String(schedule[key])}" is not a 5-field cron expression`);
      }
    }
  }
  return problems.list;
}

/**
 * One tier of a classic multi-tier application: a hardened launch template (IMDSv2 only, encrypted gp3 root
 * volume, no public IP, no key pair, SSM-only instance profile), an Auto Scaling group over the private subnets
 * of every AZ registered in a target group, target tracking on CPU and on requests per target, an optional
 * scheduled scale-down, and alarms on unhealthy hosts, 5xx and CPU. The security group starts with HTTPS egress
 * only; the load balancer in front opens its own port with `Alb.connectTo`.
 */
export class AutoScalingTier extends Construct {
  readonly securityGroup: SecurityGroup;
  readonly role: IamRole;
  readonly launchTemplate: LaunchTemplate;
  readonly targetGroup: LbTargetGroup;
  readonly group: AutoscalingGroup;

  constructor(scope: Construct, id: string, props: AutoScalingTierProps) {
    super(scope, id);
    const provider = props.provider;
    const name = props.name;

    this.securityGroup = new SecurityGroup(this, 'sg', {
      provider,
      name: `${name}-instances`,
      description: `Instances of ${name}`,
      vpcId: props.vpcId,
      tags: { Name: `${name}-instances` },
      lifecycle: { createBeforeDestroy: true },
    });
    (props.httpsEgressCidrs ?? ['0.0.0.0/0']).forEach((cidr, i) => {
      new VpcSecurityGroupEgressRule(this, `https-out-${i}`, {
        provider,
        securityGroupId: this.securityGroup.id,
        description: 'HTTPS to AWS APIs (SSM) and package repositories',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIpv4: cidr,
      });
    });

    this.role = new IamRole(this, 'role', {
      provider,
      name: `${name}-instance`,
      assumeRolePolicy: serviceTrustPolicy('ec2.amazonaws.com'),
    });
    new IamRolePolicyAttachment(this, 'ssm-core', { provider, role: this.role.name, policyArn: SSM_CORE_POLICY });
    const profile = new IamInstanceProfile(this, 'profile', { provider, name: `${name}-instance`, role: this.role.name });

    this.launchTemplate = new LaunchTemplate(this, 'launch-template', {
      provider,
      name: `${name}`,
      description: `Instances of ${name}`,
      imageId: props.imageId ?? AL2023_IMAGE,
      instanceType: props.instanceType,
      updateDefaultVersion: true,
      iamInstanceProfile: { arn: profile.arn },
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' },
      monitoring: { enabled: true },
      networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: 'false', deleteOnTermination: 'true', securityGroups: [this.securityGroup.id] }],
      blockDeviceMappings: [{
        deviceName: '/dev/xvda',
        ebs: {
          volumeType: 'gp3',
          volumeSize: props.volumeSizeGb ?? 20,
          encrypted: 'true',
          kmsKeyId: props.ebsKmsKeyArn,
          deleteOnTermination: 'true',
        },
      }],
      userData: props.userData ? Fn.base64encode(props.userData) : undefined,
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: name } },
        { resourceType: 'volume', tags: { Name: name } },
      ],
    });

    this.targetGroup = new LbTargetGroup(this, 'target-group', {
      provider,
      name: name.length <= 32 ? name : name.slice(0, 32).replace(/-+$/, ''),
      port: props.port,
      protocol: 'HTTP',
      targetType: 'instance',
      vpcId: props.vpcId,
      deregistrationDelay: '30',
      healthCheck: {
        enabled: true,
        path: props.healthCheckPath ?? '/health',
        protocol: 'HTTP',
        port: 'traffic-port',
        matcher: '200-399',
        interval: 15,
        timeout: 5,
        healthyThreshold: 3,
        unhealthyThreshold: 3,
      },
    });

    this.group = new AutoscalingGroup(this, 'group', {
      provider,
      name,
      minSize: props.minSize,
      maxSize: props.maxSize,
      desiredCapacity: props.desiredCapacity,
      vpcZoneIdentifier: props.subnetIds,
      launchTemplate: { id: this.launchTemplate.id, version: Token.asString(this.launchTemplate.latestVersion) },
      targetGroupArns: [this.targetGroup.arn],
      healthCheckType: 'ELB',
      healthCheckGracePeriod: 300,
      defaultInstanceWarmup: 120,
      enabledMetrics: ['GroupMinSize', 'GroupMaxSize', 'GroupDesiredCapacity', 'GroupInServiceInstances', 'GroupTotalInstances'],
      instanceRefresh: { strategy: 'Rolling', preferences: { minHealthyPercentage: 90 } },
      tag: [{ key: 'Name', value: name, propagateAtLaunch: true }],
      // Scaling policies and schedules move desired_capacity; a re-apply must not reset it.
      lifecycle: { ignoreChanges: ['desired_capacity'] },
    });

    new AutoscalingPolicy(this, 'cpu-tracking', {
      provider,
      name: `${name}-cpu`,
      autoscalingGroupName: this.group.name,
      policyType: 'TargetTrackingScaling',
      targetTrackingConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: 'ASGAverageCPUUtilization' },
        targetValue: props.cpuTargetPercent ?? 50,
      },
    });
    new AutoscalingPolicy(this, 'request-tracking', {
      // AWS refuses ALBRequestCountPerTarget until the target group is behind a listener.
      dependsOn: [props.loadBalancer.listener],
      provider,
      name: `${name}-requests`,
      autoscalingGroupName: this.group.name,
      policyType: 'TargetTrackingScaling',
      targetTrackingConfiguration: {
        predefinedMetricSpecification: {
          predefinedMetricType: 'ALBRequestCountPerTarget',
          resourceLabel: `${props.loadBalancer.arnSuffix}/${this.targetGroup.arnSuffix}`,
        },
        targetValue: props.requestsPerTarget ?? 1000,
      },
    });

    const schedule = props.scheduledScaleDown;
    if (schedule) {
      new AutoscalingSchedule(this, 'scale-down', {
        provider,
        scheduledActionName: `${name}-scale-down`,
        autoscalingGroupName: this.group.name,
        recurrence: schedule.scaleDownRecurrence,
        timeZone: schedule.timeZone ?? 'UTC',
        minSize: schedule.minSize,
        maxSize: schedule.maxSize,
        desiredCapacity: schedule.desiredCapacity,
      });
      new AutoscalingSchedule(this, 'scale-up', {
        provider,
        scheduledActionName: `${name}-scale-up`,
        autoscalingGroupName: this.group.name,
        recurrence: schedule.scaleUpRecurrence,
        timeZone: schedule.timeZone ?? 'UTC',
        minSize: props.minSize,
        maxSize: props.maxSize,
        desiredCapacity: props.desiredCapacity,
      });
    }

    const actions = props.alarmTopicArn ? [props.alarmTopicArn] : [];
    const alarm = (alarmId: string, spec: { metric: string; namespace: string; dimensions: Record<string, string>; statistic: string; threshold: number; description: string; periods?: number }) =>
      new CloudwatchMetricAlarm(this, alarmId, {
        provider,
        alarmName: `${name}-${alarmId}`,
        alarmDescription: spec.description,
        namespace: spec.namespace,
        metricName: spec.metric,
        dimensions: spec.dimensions,
        statistic: spec.statistic,
        period: 60,
        evaluationPeriods: spec.periods ?? 5,
        threshold: spec.threshold,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: actions,
        okActions: actions,
      });
    const tg = { TargetGroup: this.targetGroup.arnSuffix, LoadBalancer: props.loadBalancer.arnSuffix };
    alarm('unhealthy-hosts', { metric: 'UnHealthyHostCount', namespace: 'AWS/ApplicationELB', dimensions: tg, statistic: 'Maximum', threshold: 0, description: `${name}: targets failing health checks` });
    alarm('target-5xx', { metric: 'HTTPCode_Target_5XX_Count', namespace: 'AWS/ApplicationELB', dimensions: tg, statistic: 'Sum', threshold: 10, description: `${name}: instances answer 5xx` });
    alarm('cpu-high', { metric: 'CPUUtilization', namespace: 'AWS/EC2', dimensions: { AutoScalingGroupName: this.group.name }, statistic: 'Average', threshold: 85, periods: 10, description: `${name}: CPU above 85% despite scaling (max size reached?)` });
  }
}
