import { EksNodeGroup as EksNodeGroupResource } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, capacityProblems, FieldProblems, integerBetween } from '../lib/validators';

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
  /** KMS key of the root volume. @default - the account's default EBS key (aws/ebs) */
  readonly ebsKmsKeyArn?: string;
  /** IMDSv2 hop limit: 1 keeps pods off the node's instance metadata, 2 lets them reach it. @default 1 */
  readonly metadataHopLimit?: 1 | 2;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default [] */
  readonly taints?: readonly { readonly key: string; readonly value?: string; readonly effect: 'NO_SCHEDULE' | 'NO_EXECUTE' | 'PREFER_NO_SCHEDULE' }[];
  /** @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/** An EC2 instance type as AWS spells it, e.g. `m7g.large`, `t3.medium`. */
export const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/**
 * Problems of the props that need no AWS, by prop name: EKS `CreateNodegroup` limits (scaling sizes, 63-character
 * label and taint keys and values, at most 50 taints) and the root volume size gp3 accepts.
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html
 */
export function eksNodeGroupPropProblems(props: Partial<EksNodeGroupProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined) {
    problems.check('name', awsName(props.name, { maxLength: 63, pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/, described: 'letters, digits, - and _, starting with a letter or digit' }));
  }
  if (props.minSize !== undefined || props.desiredSize !== undefined || props.maxSize !== undefined) {
    for (const p of capacityProblems({ min: props.minSize ?? 0, desired: props.desiredSize ?? 0, max: props.maxSize ?? 1 }, { min: 'minSize', desired: 'desiredSize', max: 'maxSize' })) {
      problems.add(p.field, p.message);
    }
  }
  if (props.instanceTypes !== undefined && props.instanceTypes.length === 0) problems.add('instanceTypes', 'needs at least one instance type');
  (props.instanceTypes ?? []).forEach((t, i) => {
    if (!INSTANCE_TYPE.test(t)) problems.add(`instanceTypes[${i}]`, `"${t}" is not an EC2 instance type`);
  });
  if (props.diskSizeGiB !== undefined) problems.check('diskSizeGiB', integerBetween(props.diskSizeGiB, 1, 16384, 'GiB'));
  for (const [key, value] of Object.entries(props.labels ?? {})) {
    if (key.length < 1 || key.length > 63 || value.length < 1 || value.length > 63) problems.add(`labels.${key}`, 'label keys and values must be 1 to 63 characters');
  }
  if ((props.taints ?? []).length > 50) problems.add('taints', `${(props.taints ?? []).length} taints; a node group accepts 50`);
  (props.taints ?? []).forEach((t, i) => {
    if (t.key.length < 1 || t.key.length > 63) problems.add(`taints[${i}].key`, `"${t.key}" must be 1 to 63 characters`);
    if (t.value !== undefined && t.value.length > 63) problems.add(`taints[${i}].value`, 'must be at most 63 characters');
  });
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
          ...(props.ebsKmsKeyArn ? { kmsKeyId: props.ebsKmsKeyArn } : {}),
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
