import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import type { TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';

export interface ConsumerSecurityGroupProps {
  readonly name: string;
  /** What the group guards, e.g. the cluster name: the description reads `<what>: port <port> from the configured consumers only`. */
  readonly guards: string;
  readonly vpcId: string;
  /** The one TCP port admitted. */
  readonly port: number;
  /** Consumer security groups (literal ids or a token list from remote state). @default [] */
  readonly securityGroupIds?: readonly string[];
  /** Consumer IPv4 ranges. @default [] */
  readonly cidrBlocks?: readonly string[];
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * The security group of a data store (cache, DAX cluster): one TCP port from the configured consumers, nothing else,
 * and no egress (a data store initiates no connections). Created in `scope` with the id given.
 */
export function consumerSecurityGroup(scope: Construct, id: string, props: ConsumerSecurityGroupProps): SecurityGroup {
  const { port } = props;
  const groups = props.securityGroupIds ?? [];
  const ranges = props.cidrBlocks ?? [];
  return new SecurityGroup(scope, id, {
    provider: props.provider,
    name: props.name,
    description: `${props.guards}: port ${port} from the configured consumers only`,
    vpcId: props.vpcId,
    ingress: [
      ...(groups.length > 0 ? [{ description: 'From consumer security groups', protocol: 'tcp', fromPort: port, toPort: port, securityGroups: [...groups] }] : []),
      ...(ranges.length > 0 ? [{ description: 'From consumer ranges', protocol: 'tcp', fromPort: port, toPort: port, cidrBlocks: [...ranges] }] : []),
    ],
    egress: [],
    tags: { Name: props.name },
  });
}
