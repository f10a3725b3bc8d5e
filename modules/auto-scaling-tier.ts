import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { AutoscalingSchedule } from '@cdktf/provider-aws/lib/autoscaling-schedule';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Fn, Token, type ITerraformDependable, type TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, capacityProblems, cidrBlock, ec2InstanceType, FieldProblems, integerBetween, percentage, port, positiveInteger } from '../lib/validators';
import type { KmsKey } from './kms-key';
import { MetricAlarm, type AlarmMetric } from './metric-alarm';
import { refuseProblems } from './prop-problems';
import { ServiceRole } from './role';

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
  /**
   * KMS key encrypting the root volumes, by ARN: its policy must already admit the Auto Scaling service-linked role,
   * which launches the instances and gets no KMS access through IAM. Or pass `ebsKmsKey`.
   * @default - `ebsKmsKey`; without either, the account's default EBS key (volumes are always encrypted)
   */
  readonly ebsKmsKeyArn?: string;
  /**
   * A key of this stack encrypting the root volumes: the tier admits the Auto Scaling service-linked role to it
   * (`grantToService('autoscaling')`). Needs `autoScalingServiceLinkedRoleArn`. @default - `ebsKmsKeyArn`
   */
  readonly ebsKmsKey?: KmsKey;
  /**
   * The Auto Scaling service-linked role `ebsKmsKey` is granted to, required with it: the ARN of the role resource
   * or of the security layer's output, so the key waits for the role (KMS refuses a principal that does not exist yet).
   * @default - none; `ebsKmsKey` needs it
   */
  readonly autoScalingServiceLinkedRoleArn?: string;
  /** Load balancer in front, for the request-count metric, and its listener forwarding to this tier. */
  readonly loadBalancer: { readonly arnSuffix: string; readonly listener: ITerraformDependable };
  /** @default '/health' */
  readonly healthCheckPath?: string;
  /** Root volume size in GiB (gp3, encrypted), at least the 8 GiB snapshot of the AL2023 image. @default 20 */
  readonly volumeSizeGb?: number;
  /** Image id or SSM parameter reference. @default AL2023_IMAGE */
  readonly imageId?: string;
  /** Plain-text cloud-init user data (no secrets: read them at boot from Secrets Manager). @default - none */
  readonly userData?: string;
  /** Target average CPU (percent, above 0 and at most 100) for the CPU tracking policy. @default 50 */
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
 * Problems of the props that need no AWS, by prop name; references (tokens) are left to Terraform. The name (the
 * instance role is `<name>-instance`), the instance type, the group's sizes (also those of the scheduled scale-down,
 * which may be zero), port, health check path, root volume, scaling targets, user data size and egress ranges.
 * Layers call it with their config's fields only.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html
 */
export function autoScalingTierPropProblems(props: Partial<AutoScalingTierProps>): FieldProblem[] {
  const problems = new FieldProblems();
  // The instance role and profile are `<name>-instance`: IAM allows 64 characters.
  if (props.name !== undefined && !Token.isUnresolved(props.name)) {
    problems.check('name', awsName(props.name, { maxLength: 64 - '-instance'.length, pattern: /^[A-Za-z0-9-]+$/, described: 'letters, digits and dashes' }));
  }
  if (props.instanceType !== undefined) problems.check('instanceType', ec2InstanceType(props.instanceType));
  if (props.minSize !== undefined || props.desiredCapacity !== undefined || props.maxSize !== undefined) {
    const sizes = { min: props.minSize ?? 0, desired: props.desiredCapacity ?? 0, max: props.maxSize ?? 1 };
    for (const p of capacityProblems(sizes, { min: 'minSize', desired: 'desiredCapacity', max: 'maxSize' })) problems.add(p.field, p.message);
  }
  if (props.port !== undefined) problems.check('port', port(props.port));
  if (props.healthCheckPath !== undefined && !props.healthCheckPath.startsWith('/')) problems.add('healthCheckPath', `"${props.healthCheckPath}" must start with /`);
  // gp3 takes 1 GiB and up, but a root volume smaller than the image's snapshot (8 GiB for Amazon Linux 2023) fails the launch.
  if (props.volumeSizeGb !== undefined) problems.check('volumeSizeGb', integerBetween(props.volumeSizeGb, 8, 16384, 'GiB'));
  // Target tracking's TargetValue is a double: 50.5 is a valid CPU target.
  if (props.cpuTargetPercent !== undefined) problems.check('cpuTargetPercent', percentage(props.cpuTargetPercent));
  if (props.requestsPerTarget !== undefined) problems.check('requestsPerTarget', positiveInteger(props.requestsPerTarget));
  if (props.userData !== undefined && Buffer.byteLength(props.userData, 'utf8') > USER_DATA_MAX_BYTES) {
    problems.add('userData', `${Buffer.byteLength(props.userData, 'utf8')} bytes; EC2 accepts ${USER_DATA_MAX_BYTES} (read larger scripts from S3 at boot)`);
  }
  (props.httpsEgressCidrs ?? []).forEach((cidr, i) => {
    if (!Token.isUnresolved(cidr)) problems.check(`httpsEgressCidrs[${i}]`, cidrBlock(cidr));
  });
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
  if (props.ebsKmsKeyArn !== undefined && props.ebsKmsKey !== undefined) problems.add('ebsKmsKeyArn', 'give ebsKmsKeyArn or ebsKmsKey, not both');
  if (props.ebsKmsKey !== undefined && props.autoScalingServiceLinkedRoleArn === undefined) {
    problems.add('autoScalingServiceLinkedRoleArn', 'is needed with ebsKmsKey: the key policy names the role that launches the instances');
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
  /** The instances' role: grant it what the application needs (`bucket.grantRead(tier.role)`). */
  readonly role: ServiceRole;
  readonly launchTemplate: LaunchTemplate;
  readonly targetGroup: LbTargetGroup;
  readonly group: AutoscalingGroup;

  constructor(scope: Construct, id: string, props: AutoScalingTierProps) {
    super(scope, id);
    // Without ebsKmsKeyArn or ebsKmsKey the root volumes are still encrypted, with the account's default EBS key.
    refuseProblems(scope, id, autoScalingTierPropProblems(props));
    const provider = props.provider;
    const name = props.name;
    const ebsKeyArn = props.ebsKmsKey?.arn ?? props.ebsKmsKeyArn;
    if (props.ebsKmsKey && props.autoScalingServiceLinkedRoleArn) {
      props.ebsKmsKey.grantToService('autoscaling', { serviceLinkedRoleArn: props.autoScalingServiceLinkedRoleArn });
    }

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

    this.role = new ServiceRole(this, 'role', {
      provider,
      name: `${name}-instance`,
      service: 'ec2.amazonaws.com',
      managedPolicyArns: [SSM_CORE_POLICY],
      ids: { managedPolicies: ['ssm-core'] },
    });
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
          kmsKeyId: ebsKeyArn,
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

    const alarm = (alarmId: string, description: string, metric: AlarmMetric, threshold: number, evaluationPeriods = 5) =>
      new MetricAlarm(this, alarmId, {
        provider,
        name: `${name}-${alarmId}`,
        description,
        metric,
        threshold,
        periodSeconds: 60,
        evaluationPeriods,
        alarmTopicArn: props.alarmTopicArn,
      });
    const tg = { TargetGroup: this.targetGroup.arnSuffix, LoadBalancer: props.loadBalancer.arnSuffix };
    alarm('unhealthy-hosts', `${name}: targets failing health checks`,
      { namespace: 'AWS/ApplicationELB', metricName: 'UnHealthyHostCount', dimensions: tg, statistic: 'Maximum' }, 0);
    alarm('target-5xx', `${name}: instances answer 5xx`,
      { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions: tg, statistic: 'Sum' }, 10);
    alarm('cpu-high', `${name}: CPU above 85% despite scaling (max size reached?)`,
      { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: this.group.name }, statistic: 'Average' }, 85, 10);
  }
}
