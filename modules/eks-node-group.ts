import { EksNodeGroup as EksNodeGroupResource } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, capacityProblems, ec2InstanceType, FieldProblems, integerBetween, oneOf } from '../lib/validators';
import type { KmsKey } from './kms-key';
import { refuseProblems } from './prop-problems';
import { ServiceRole } from './role';

/**
 * AWS managed policies of a node role: joining the cluster, pulling images from ECR, Session Manager instead of SSH.
 * The CNI's permissions belong on an IRSA role for the aws-node service account, not on every node.
 * https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html
 */
export const EKS_NODE_POLICIES = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonSSMManagedInstanceCore'] as const;

export interface EksNodeRoleProps {
  /** Role name, e.g. `<cluster>-node`. */
  readonly name: string;
}

/**
 * The role the instances of a cluster's managed node groups run with: trusted by EC2, with `EKS_NODE_POLICIES`.
 * Created in `scope` with ids `<id>` (the role) and `<id-prefix>-<policy>` (one attachment per policy; `<id-prefix>`
 * is `<id>` without a `-role` suffix): the addresses the eks layer gave these resources before the module existed.
 */
export class EksNodeRole extends ServiceRole {
  constructor(scope: Construct, id: string, props: EksNodeRoleProps) {
    const prefix = id.replace(/-role$/, '');
    super(scope, id, {
      name: props.name,
      service: 'ec2.amazonaws.com',
      managedPolicyArns: EKS_NODE_POLICIES.map((policy) => `arn:aws:iam::aws:policy/${policy}`),
      ids: { managedPolicies: EKS_NODE_POLICIES.map((policy) => `${prefix}-${policy}`) },
    });
  }
}

export interface EksNodeGroupProps {
  readonly clusterName: string;
  readonly name: string;
  readonly nodeRoleArn: string;
  /** Private subnets the group spreads over. */
  readonly subnetIds: string[];
  /** Security groups of the nodes (the cluster security group plus the node security group). */
  readonly securityGroupIds: string[];
  readonly capacityType: 'ON_DEMAND' | 'SPOT';
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  /** Root volume size (gp3, encrypted). @default 50 */
  readonly diskSizeGiB?: number;
  /** KMS key of the root volume, whose policy admits the Auto Scaling service-linked role. @default - the account's default EBS key */
  readonly ebsKmsKeyArn?: string;
  /**
   * A key of this stack for the root volume: the group admits the Auto Scaling service-linked role to it
   * (`grantToService('autoscaling')`), which launches the nodes and gets no KMS access through IAM. Needs
   * `autoScalingServiceLinkedRoleArn`. @default - `ebsKmsKeyArn`
   */
  readonly ebsKmsKey?: KmsKey;
  /** The Auto Scaling service-linked role's ARN (the role resource's or the security layer's output), with `ebsKmsKey`. @default - none */
  readonly autoScalingServiceLinkedRoleArn?: string;
  /** IMDSv2 hop limit: 1 keeps pods off the node's instance metadata, 2 lets them reach it. @default 1 */
  readonly metadataHopLimit?: 1 | 2;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default [] */
  readonly taints?: readonly { readonly key: string; readonly value?: string; readonly effect: 'NO_SCHEDULE' | 'NO_EXECUTE' | 'PREFER_NO_SCHEDULE' }[];
  /** @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Problems of the props that need no AWS, by prop name; references (tokens) are left to Terraform. EKS
 * `CreateNodegroup` limits: the name, capacity type, scaling sizes, instance types, 63-character label and taint keys
 * and values, at most 50 taints; the root volume size gp3 accepts and the IMDS hop limit.
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html
 */
export function eksNodeGroupPropProblems(props: Partial<EksNodeGroupProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) {
    problems.check('name', awsName(props.name, { maxLength: 63, pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/, described: 'a letter or digit, then letters, digits, - and _' }));
  }
  if (props.capacityType !== undefined) problems.check('capacityType', oneOf(props.capacityType, ['ON_DEMAND', 'SPOT']));
  if (props.minSize !== undefined || props.desiredSize !== undefined || props.maxSize !== undefined) {
    const sizes = { min: props.minSize ?? 0, desired: props.desiredSize ?? 0, max: props.maxSize ?? 1 };
    for (const p of capacityProblems(sizes, { min: 'minSize', desired: 'desiredSize', max: 'maxSize' })) problems.add(p.field, p.message);
  }
  if (props.instanceTypes !== undefined && props.instanceTypes.length === 0) problems.add('instanceTypes', 'must list at least one instance type');
  (props.instanceTypes ?? []).forEach((t, i) => {
    if (!Token.isUnresolved(t)) problems.check(`instanceTypes[${i}]`, ec2InstanceType(t));
  });
  if (props.diskSizeGiB !== undefined) problems.check('diskSizeGiB', integerBetween(props.diskSizeGiB, 1, 16384, 'GiB (gp3)'));
  if (props.metadataHopLimit !== undefined) problems.check('metadataHopLimit', oneOf<number>(props.metadataHopLimit, [1, 2]));
  for (const [key, value] of Object.entries(props.labels ?? {})) {
    if (key.length < 1 || key.length > 63 || value.length < 1 || value.length > 63) problems.add(`labels.${key}`, 'label keys and values must be 1 to 63 characters');
  }
  const taints = props.taints ?? [];
  if (taints.length > 50) problems.add('taints', `${taints.length} taints; a node group accepts 50`);
  taints.forEach((t, i) => {
    if (t.key.length < 1 || t.key.length > 63) problems.add(`taints[${i}].key`, `"${t.key}" must be 1 to 63 characters`);
    if (t.value !== undefined && t.value.length > 63) problems.add(`taints[${i}].value`, 'must be at most 63 characters');
  });
  if (props.ebsKmsKey !== undefined && props.autoScalingServiceLinkedRoleArn === undefined) {
    problems.add('autoScalingServiceLinkedRoleArn', 'is needed with ebsKmsKey: the key policy names the role that launches the nodes');
  }
  return problems.list;
}

/**
 * A managed node group on Amazon Linux 2023 through a launch template: IMDSv2 required, encrypted gp3 root volume,
 * no SSH key, private subnets only. The AMI comes from `ami_type` (EKS picks the AL2023 release for the cluster
 * version), so no AMI look-up is needed.
 */
export class EksNodeGroup extends Construct {
  readonly launchTemplate: LaunchTemplate;
  readonly nodeGroup: EksNodeGroupResource;

  constructor(scope: Construct, id: string, props: EksNodeGroupProps) {
    super(scope, id);
    refuseProblems(scope, id, eksNodeGroupPropProblems(props));
    if (props.ebsKmsKey && props.autoScalingServiceLinkedRoleArn) {
      props.ebsKmsKey.grantToService('autoscaling', { serviceLinkedRoleArn: props.autoScalingServiceLinkedRoleArn });
    }
    const ebsKeyArn = props.ebsKmsKey?.arn ?? props.ebsKmsKeyArn;
    const name = `${props.clusterName}-${props.name}`;
    this.launchTemplate = new LaunchTemplate(this, 'launch-template', {
      name,
      description: `Nodes of ${props.clusterName} group ${props.name}`,
      updateDefaultVersion: true,
      vpcSecurityGroupIds: props.securityGroupIds,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: props.metadataHopLimit ?? 1,
      },
      blockDeviceMappings: [{
        deviceName: '/dev/xvda',
        ebs: {
          volumeSize: props.diskSizeGiB ?? 50,
          volumeType: 'gp3',
          encrypted: 'true',
          ...(ebsKeyArn ? { kmsKeyId: ebsKeyArn } : {}),
          deleteOnTermination: 'true',
        },
      }],
      monitoring: { enabled: true },
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: name } },
        { resourceType: 'volume', tags: { Name: name } },
      ],
    });
    this.nodeGroup = new EksNodeGroupResource(this, 'group', {
      clusterName: props.clusterName,
      nodeGroupName: props.name,
      nodeRoleArn: props.nodeRoleArn,
      subnetIds: props.subnetIds,
      amiType: 'AL2023_x86_64_STANDARD',
      capacityType: props.capacityType,
      instanceTypes: [...props.instanceTypes],
      scalingConfig: { minSize: props.minSize, maxSize: props.maxSize, desiredSize: props.desiredSize },
      updateConfig: { maxUnavailablePercentage: 33 },
      launchTemplate: { id: this.launchTemplate.id, version: String(this.launchTemplate.latestVersion) },
      // EKS itself adds the eks.amazonaws.com/capacityType label (ON_DEMAND or SPOT).
      labels: { ...(props.labels ?? {}) },
      taint: (props.taints ?? []).map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
      // The cluster autoscaler changes the desired size; Terraform must not reset it.
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
      dependsOn: props.dependsOn,
    });
  }
}
