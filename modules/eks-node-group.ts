import { EksNodeGroup as EksNodeGroupResource } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

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
