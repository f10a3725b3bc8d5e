import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { ServiceDiscoveryService } from '@cdktf/provider-aws/lib/service-discovery-service';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { capacityProblems, cidrBlock, FieldProblems, integerBetween, logRetentionDays, percentage, port, positiveInteger } from '../lib/validators';
import type { Alb } from './alb';
import { MetricAlarm, type AlarmMetric } from './metric-alarm';
import { ECR_AUTH_ACTIONS, ECR_PULL_ACTIONS, KEY_DECRYPT_ACTIONS, LOG_STREAM_WRITE_ACTIONS, SECRET_READ_ACTIONS } from './perms';
import { allow, oneOrMany, type PolicyStatement } from './policy';
import { refuseProblems } from './prop-problems';
import { ServiceRole } from './role';

/** CPU units and the memory (MiB) Fargate accepts with each. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
  8192: Array.from({ length: 12 }, (_, i) => 16384 + i * 4096),
  16384: Array.from({ length: 12 }, (_, i) => 32768 + i * 8192),
};

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>` with an optional `:<json-key>:<stage>:<version>` suffix. */
export const SECRET_ARN = /^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+(:[^:]*:[^:]*:[^:]*)?$/;
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)/;

/** The secret's own ARN, without the JSON-key suffix ECS accepts in `valueFrom`. */
export function secretResourceArn(valueFrom: string): string {
  return valueFrom.split(':').slice(0, 7).join(':');
}

/** Name of a service's task execution role (it pulls the image and reads the secrets): `<prefix>-<service>-execution`. */
export function executionRoleName(namePrefix: string, service: string): string {
  return `${namePrefix}-${service}-execution`;
}

/** `<prefix>-<service>-<port>` within the 32 characters a target group name allows, the port always kept. */
export function targetGroupName(fullName: string, port: number): string {
  const suffix = `-${port}`;
  return `${fullName.slice(0, 32 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/** The ECR repository ARN of an image URI in ECR, or undefined for images in other registries. */
export function ecrRepositoryArn(image: string): string | undefined {
  const m = ECR_IMAGE.exec(image);
  return m ? `arn:aws:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
}

/** One JSON key of a Secrets Manager secret, e.g. `password` of an RDS-managed master secret. */
export interface SecretKeyRef {
  readonly secretArn: string;
  readonly jsonKey: string;
}

/** `valueFrom` of a container secret and the secret ARN IAM must allow. */
function secretSource(value: string | SecretKeyRef): { valueFrom: string; resource: string } {
  if (typeof value !== 'string') return { valueFrom: `${value.secretArn}:${value.jsonKey}::`, resource: value.secretArn };
  return { valueFrom: value, resource: secretResourceArn(value) };
}

export interface FargateServiceRouting {
  readonly alb: Alb;
  /** Listener rule priority, unique per listener. */
  readonly priority: number;
  /** @default ['/*'] */
  readonly pathPatterns?: readonly string[];
  /** @default - any host */
  readonly hostHeaders?: readonly string[];
}

export interface FargateServiceProps {
  /** Service name, also the container name and the Cloud Map name. */
  readonly name: string;
  /** Prefix of role, log group and alarm names, e.g. `acme-apps-prd-fargate`. */
  readonly namePrefix: string;
  readonly region: string;
  readonly accountId: string;
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly vpcId: string;
  /** Private subnets; tasks never get a public IP. */
  readonly subnetIds: string[];
  /** Image URI; an ECR image gets pull rights on exactly its repository. */
  readonly image: string;
  /** ECR repository the image is pulled from, when `image` is a reference the URI cannot be parsed from. @default parsed from image */
  readonly imageRepositoryArn?: string;
  /** CPU units (256..16384). */
  readonly cpu: number;
  /** MiB, a size Fargate accepts with `cpu`. */
  readonly memory: number;
  readonly port: number;
  readonly desiredCount: number;
  /** Target tracking floor. @default desiredCount */
  readonly minCount?: number;
  /** Target tracking ceiling. @default 2 x desiredCount */
  readonly maxCount?: number;
  /** @default '/' */
  readonly healthCheckPath?: string;
  /** Plain environment variables (no secrets). @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Variables filled from Secrets Manager: name to secret ARN (optionally with `:json-key::`), or to a secret
   * (e.g. a reference to a secret of this stack) and one JSON key of it. @default {}
   */
  readonly secrets?: Readonly<Record<string, string | SecretKeyRef>>;
  /** Customer managed keys of those secrets; the execution role may decrypt only with them. @default [] */
  readonly secretsKmsKeyArns?: readonly string[];
  /** Key of the task log group (its policy must admit CloudWatch Logs). */
  readonly logKmsKeyArn: string;
  /** @default 365 */
  readonly logRetentionDays?: number;
  /** Numeric `uid:gid` the container runs as (never root). @default '1000:1000' */
  readonly user?: string;
  /** Writable scratch mounts on an otherwise read-only root filesystem. @default ['/tmp'] */
  readonly writablePaths?: readonly string[];
  /**
   * Least-privilege statements for the application's own task role. Prefer grants on the role once the service exists
   * (`table.grantReadWriteData(service.taskRole)`). @default [] (no AWS access)
   */
  readonly taskRoleStatements?: readonly PolicyStatement[];
  /** Extra egress beyond HTTPS to the internet, e.g. the database port to the VPC range. @default [] */
  readonly extraEgress?: readonly { readonly port: number; readonly cidr: string; readonly description: string }[];
  /** Exposes the service through a listener rule of a shared ALB. @default - not load balanced */
  readonly routing?: FargateServiceRouting;
  /** Cloud Map namespace the service registers in (`<name>.<namespace>`). @default - no service discovery */
  readonly namespaceId?: string;
  /** CPU percentage target tracking keeps. @default 60 */
  readonly cpuTargetPercent?: number;
  /** Requests per target per minute target tracking keeps (load-balanced services only). @default 1000 */
  readonly requestsPerTarget?: number;
  /** Topic of the CPU, 5xx and unhealthy-host alarms. @default - alarms without actions */
  readonly alarmTopicArn?: string;
  /** Mix of FARGATE_SPOT (cheaper, interruptible) in percent. @default 0 */
  readonly spotPercent?: number;
}

/**
 * A hardened Fargate service: read-only root filesystem, non-root user, no privilege escalation, every Linux
 * capability dropped, awslogs into a KMS-encrypted retained log group, private subnets without public IPs,
 * execution role scoped to its image repository, log group and secrets, task role empty unless given statements,
 * deployment circuit breaker with rollback, target tracking on CPU and requests, optional ALB routing, Cloud Map
 * registration and alarms.
 */
export class FargateService extends Construct {
  readonly service: EcsService;
  readonly securityGroup: SecurityGroup;
  readonly taskDefinition: EcsTaskDefinition;
  readonly logGroup: CloudwatchLogGroup;
  /** The role ECS pulls the image, writes logs and reads the secrets with. */
  readonly executionRole: ServiceRole;
  /** The application's role: empty unless given statements or granted something (`bucket.grantRead(service.taskRole)`). */
  readonly taskRole: ServiceRole;
  readonly targetGroup?: LbTargetGroup;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    refuseProblems(scope, id, fargateServicePropProblems(props));
    const fullName = `${props.namePrefix}-${props.name}`;
    const secrets = Object.entries(props.secrets ?? {}).map(([name, value]) => ({ name, ...secretSource(value) }));

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/ecs/${fullName}`,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.logKmsKeyArn,
    });

    // Both roles are assumed by ECS tasks of this account and region only (confused deputy).
    const trust = { service: 'ecs-tasks.amazonaws.com', sourceAccount: props.accountId, sourceArn: `arn:aws:ecs:${props.region}:${props.accountId}:*` } as const;
    this.executionRole = new ServiceRole(this, 'execution-role', {
      ...trust,
      name: executionRoleName(props.namePrefix, props.name),
      policyName: 'pull-logs-secrets',
      ids: { policy: 'execution-policy' },
    });
    this.executionRole.addToPolicy(allow('WriteOwnLogs', LOG_STREAM_WRITE_ACTIONS, `${this.logGroup.arn}:*`));
    const repository = props.imageRepositoryArn ?? ecrRepositoryArn(props.image);
    if (repository) {
      // GetAuthorizationToken has no resource-level permissions; pulls are limited to the one repository.
      this.executionRole.addToPolicy(allow('EcrToken', ECR_AUTH_ACTIONS, '*'));
      this.executionRole.addToPolicy(allow('PullImage', ECR_PULL_ACTIONS, repository));
    }
    const secretArns = [...new Set(secrets.map((secret) => secret.resource))];
    // Secrets and their keys are lists (Resource stays a list even with one), as this policy has always written them.
    if (secretArns.length > 0) {
      this.executionRole.addToPolicy({ Sid: 'ReadOwnSecrets', Effect: 'Allow', Action: oneOrMany(SECRET_READ_ACTIONS), Resource: secretArns });
    }
    const secretKeys = [...(props.secretsKmsKeyArns ?? [])];
    if (secretKeys.length > 0) {
      this.executionRole.addToPolicy({
        Sid: 'DecryptOwnSecrets',
        Effect: 'Allow',
        Action: oneOrMany(KEY_DECRYPT_ACTIONS),
        Resource: secretKeys,
        // Only through Secrets Manager: the role cannot decrypt anything else with those keys.
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${props.region}.amazonaws.com` } },
      });
    }
    this.taskRole = new ServiceRole(this, 'task-role', { ...trust, name: `${fullName}-task`, policyName: 'application', ids: { policy: 'task-policy' } });
    for (const statement of props.taskRoleStatements ?? []) this.taskRole.addToPolicy(statement);

    const writable = props.writablePaths ?? ['/tmp'];
    const volumeName = (i: number) => `scratch-${i}`;
    this.taskDefinition = new EcsTaskDefinition(this, 'task', {
      family: fullName,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(props.cpu),
      memory: String(props.memory),
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      volume: writable.map((_, i) => ({ name: volumeName(i) })),
      containerDefinitions: JSON.stringify([{
        name: props.name,
        image: props.image,
        essential: true,
        user: props.user ?? '1000:1000',
        readonlyRootFilesystem: true,
        privileged: false,
        linuxParameters: { capabilities: { drop: ['ALL'] }, initProcessEnabled: true },
        portMappings: [{ containerPort: props.port, protocol: 'tcp' }],
        environment: Object.entries(props.environment ?? {}).map(([name, value]) => ({ name, value })),
        secrets: secrets.map(({ name, valueFrom }) => ({ name, valueFrom })),
        mountPoints: writable.map((containerPath, i) => ({ sourceVolume: volumeName(i), containerPath, readOnly: false })),
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': this.logGroup.name, 'awslogs-region': props.region, 'awslogs-stream-prefix': props.name },
        },
      }]),
    });

    this.securityGroup = new SecurityGroup(this, 'sg', {
      // A prefix, not a fixed name: create_before_destroy needs the replacement to coexist with the old group.
      namePrefix: `${fullName}-service-`,
      description: `Tasks of ${fullName}`,
      vpcId: props.vpcId,
      tags: { Name: `${fullName}-service` },
      lifecycle: { createBeforeDestroy: true },
    });
    new VpcSecurityGroupEgressRule(this, 'egress-https', {
      securityGroupId: this.securityGroup.id,
      description: 'HTTPS to AWS APIs and registries (NAT or VPC endpoints)',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
    });
    (props.extraEgress ?? []).forEach((rule, i) => {
      new VpcSecurityGroupEgressRule(this, `egress-${i}`, {
        securityGroupId: this.securityGroup.id,
        description: rule.description,
        ipProtocol: 'tcp',
        fromPort: rule.port,
        toPort: rule.port,
        cidrIpv4: rule.cidr,
      });
    });

    const routing = props.routing;
    let rule: LbListenerRule | undefined;
    if (routing) {
      this.targetGroup = new LbTargetGroup(this, 'tg', {
        // The port is in the name so that a port change (a replacement) can create the new group before the old one goes.
        name: targetGroupName(fullName, props.port),
        port: props.port,
        protocol: 'HTTP',
        targetType: 'ip',
        vpcId: props.vpcId,
        deregistrationDelay: '30',
        healthCheck: { path: props.healthCheckPath ?? '/', matcher: '200-399', interval: 15, healthyThreshold: 2, unhealthyThreshold: 3 },
        lifecycle: { createBeforeDestroy: true },
      });
      rule = new LbListenerRule(this, 'rule', {
        listenerArn: routing.alb.listener.arn,
        priority: routing.priority,
        action: [{ type: 'forward', targetGroupArn: this.targetGroup.arn }],
        condition: [
          { pathPattern: { values: [...(routing.pathPatterns ?? ['/*'])] } },
          ...(routing.hostHeaders ? [{ hostHeader: { values: [...routing.hostHeaders] } }] : []),
        ],
      });
      routing.alb.connectTo(props.name, this.securityGroup.id, props.port);
    }
    const discovery = props.namespaceId
      ? new ServiceDiscoveryService(this, 'discovery', {
          name: props.name,
          dnsConfig: { namespaceId: props.namespaceId, routingPolicy: 'MULTIVALUE', dnsRecords: [{ type: 'A', ttl: 10 }] },
          healthCheckCustomConfig: { failureThreshold: 1 },
        })
      : undefined;

    const spot = props.spotPercent ?? 0;
    this.service = new EcsService(this, 'service', {
      name: props.name,
      cluster: props.clusterArn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: props.desiredCount,
      ...(spot > 0
        ? { capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 100 - spot, base: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: spot }] }
        : { launchType: 'FARGATE' }),
      platformVersion: 'LATEST',
      networkConfiguration: { subnets: props.subnetIds, securityGroups: [this.securityGroup.id], assignPublicIp: false },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableExecuteCommand: false,
      enableEcsManagedTags: true,
      propagateTags: 'SERVICE',
      ...(this.targetGroup
        ? { loadBalancer: [{ targetGroupArn: this.targetGroup.arn, containerName: props.name, containerPort: props.port }], healthCheckGracePeriodSeconds: 60 }
        : {}),
      ...(discovery ? { serviceRegistries: { registryArn: discovery.arn } } : {}),
      // Target tracking owns the desired count after creation.
      lifecycle: { ignoreChanges: ['desired_count'] },
      dependsOn: rule ? [rule] : [],
    });

    const resourceId = `service/${props.clusterName}/${this.service.name}`;
    const target = new AppautoscalingTarget(this, 'scaling-target', {
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId,
      minCapacity: props.minCount ?? props.desiredCount,
      maxCapacity: props.maxCount ?? props.desiredCount * 2,
    });
    const tracking = (suffix: string, targetValue: number, predefinedMetricType: string, resourceLabel?: string) =>
      new AppautoscalingPolicy(this, `scale-${suffix}`, {
        name: `${fullName}-${suffix}`,
        policyType: 'TargetTrackingScaling',
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue,
          predefinedMetricSpecification: { predefinedMetricType, resourceLabel },
          scaleInCooldown: 300,
          scaleOutCooldown: 60,
        },
      });
    tracking('cpu', props.cpuTargetPercent ?? 60, 'ECSServiceAverageCPUUtilization');
    if (routing && this.targetGroup) {
      tracking('requests', props.requestsPerTarget ?? 1000, 'ALBRequestCountPerTarget', `${routing.alb.arnSuffix}/${this.targetGroup.arnSuffix}`);
    }

    const alarm = (suffix: string, description: string, metric: AlarmMetric, threshold: number, periodSeconds: number, evaluationPeriods: number) =>
      new MetricAlarm(this, `alarm-${suffix}`, {
        name: `${fullName}-${suffix}`,
        description,
        metric,
        threshold,
        periodSeconds,
        evaluationPeriods,
        alarmTopicArn: props.alarmTopicArn,
      });
    alarm('cpu-high', `CPU of ${fullName} above 85% for 15 minutes`,
      { namespace: 'AWS/ECS', metricName: 'CPUUtilization', dimensions: { ClusterName: props.clusterName, ServiceName: this.service.name }, statistic: 'Average' },
      85, 300, 3);
    if (routing && this.targetGroup) {
      const dimensions = { LoadBalancer: routing.alb.arnSuffix, TargetGroup: this.targetGroup.arnSuffix };
      alarm('unhealthy-hosts', `Unhealthy targets behind ${fullName}`,
        { namespace: 'AWS/ApplicationELB', metricName: 'UnHealthyHostCount', dimensions, statistic: 'Maximum' }, 0, 60, 3);
      alarm('target-5xx', `5xx answers of ${fullName} targets`,
        { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions, statistic: 'Sum' }, 10, 300, 1);
    }
  }
}

/** What a service spec must satisfy, checked before synth; `field` prefixes every problem (e.g. `services[0]`). */
export interface ServiceSpecShape {
  readonly name: string;
  readonly image: string;
  readonly cpu: number;
  readonly memory: number;
  readonly port: number;
  readonly desiredCount: number;
  readonly minCount?: number;
  readonly maxCount?: number;
  readonly healthCheckPath?: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly secrets?: Readonly<Record<string, string | SecretKeyRef>>;
  readonly user?: string;
  readonly spotPercent?: number;
  readonly cpuTargetPercent?: number;
  readonly requestsPerTarget?: number;
  readonly writablePaths?: readonly string[];
  readonly extraEgress?: readonly { readonly port: number; readonly cidr: string; readonly description: string }[];
}

const SECRET_LIKE = /PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL/i;

/** Problems of a service spec, each under `field` (e.g. `services[0]`); references (tokens) are left to Terraform. */
export function serviceSpecProblems(spec: ServiceSpecShape, field: string): FieldProblem[] {
  return new FieldProblems().nest(field, specProblems(spec)).list;
}

function specProblems(spec: ServiceSpecShape): FieldProblem[] {
  const problems = new FieldProblems();
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(spec.name)) problems.add('name', `"${spec.name}" must be lowercase letters, digits and dashes (at most 31)`);
  const memories = FARGATE_SIZES[spec.cpu];
  if (!memories) problems.add('cpu', `${spec.cpu} is not a Fargate CPU size (${Object.keys(FARGATE_SIZES).join(', ')})`);
  else if (!memories.includes(spec.memory)) problems.add('memory', `${spec.memory} MiB is not allowed with ${spec.cpu} CPU units (${memories[0]}..${memories[memories.length - 1]})`);
  problems.check('port', port(spec.port));
  // Unset bounds follow desiredCount (floor = desired, ceiling = 2 x desired): their problems are desiredCount's.
  const at = (key: 'minCount' | 'maxCount') => (spec[key] === undefined ? 'desiredCount' : key);
  const sizes = capacityProblems(
    { min: spec.minCount ?? spec.desiredCount, desired: spec.desiredCount, max: spec.maxCount ?? spec.desiredCount * 2 },
    { min: at('minCount'), desired: 'desiredCount', max: at('maxCount') },
  );
  for (const p of sizes.filter((x, i) => sizes.findIndex((y) => y.field === x.field) === i)) problems.add(p.field, p.message);
  if (spec.healthCheckPath !== undefined && !spec.healthCheckPath.startsWith('/')) problems.add('healthCheckPath', `"${spec.healthCheckPath}" must start with /`);
  for (const [name, arn] of Object.entries(spec.secrets ?? {})) {
    if (typeof arn === 'string' && !Token.isUnresolved(arn) && !SECRET_ARN.test(arn)) problems.add(`secrets.${name}`, `"${arn}" is not a Secrets Manager secret ARN`);
  }
  for (const name of Object.keys(spec.environment ?? {})) {
    if (SECRET_LIKE.test(name)) problems.add(`environment.${name}`, 'looks like a secret; pass it in secrets (a Secrets Manager ARN), never as a literal');
  }
  const user = spec.user ?? '1000:1000';
  if (!/^\d+(:\d+)?$/.test(user) || user.split(':')[0] === '0') problems.add('user', `"${user}" must be a numeric non-root uid[:gid]`);
  // The capacity provider strategy's weights are whole numbers (spotPercent and 100 - spotPercent).
  if (spec.spotPercent !== undefined) problems.check('spotPercent', integerBetween(spec.spotPercent, 0, 100, 'percent'));
  if (spec.cpuTargetPercent !== undefined) problems.check('cpuTargetPercent', percentage(spec.cpuTargetPercent));
  if (spec.requestsPerTarget !== undefined) problems.check('requestsPerTarget', positiveInteger(spec.requestsPerTarget));
  (spec.writablePaths ?? []).forEach((p, i) => {
    if (!p.startsWith('/')) problems.add(`writablePaths[${i}]`, `"${p}" must be an absolute path`);
  });
  (spec.extraEgress ?? []).forEach((e, i) => {
    problems.check(`extraEgress[${i}].port`, port(e.port));
    if (!Token.isUnresolved(e.cidr)) problems.check(`extraEgress[${i}].cidr`, cidrBlock(e.cidr));
  });
  return problems.list;
}

/** Problems of the props that need no AWS, by prop name: the spec's, and the log retention AWS accepts. */
export function fargateServicePropProblems(props: Partial<FargateServiceProps> & ServiceSpecShape): FieldProblem[] {
  const problems = new FieldProblems();
  for (const p of specProblems(props)) problems.add(p.field, p.message);
  if (props.logRetentionDays !== undefined) problems.check('logRetentionDays', logRetentionDays(props.logRetentionDays));
  return problems.list;
}
