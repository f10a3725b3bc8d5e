/** VPC flow logs, the default security group, world-open ingress. */
import { blocks, refersTo, resourcesPointingAt, strings, type JsonObject, type ResourceView, type Rule, type StackView } from '../model';

const WORLD = ['0.0.0.0/0', '::/0'];
/** Ports a load balancer may open to the world. */
export const PUBLIC_LB_PORTS: readonly number[] = [80, 443];

interface Ingress {
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly cidrs: string[];
}

function toPort(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  return Number.isNaN(n) ? fallback : n;
}

function ingressOf(config: JsonObject, protocolKey: string, cidrs: string[]): Ingress {
  const raw = String(config[protocolKey] ?? '-1').toLowerCase();
  const protocol = raw === '6' ? 'tcp' : raw === '17' ? 'udp' : raw;
  const all = protocol === '-1' || protocol === 'all';
  return {
    protocol,
    from: all ? 0 : toPort(config.from_port, 0),
    to: all ? 65535 : toPort(config.to_port, 65535),
    cidrs,
  };
}

/** The security group a rule resource belongs to, when it is in this stack. */
function groupOf(rule: ResourceView, stack: StackView): ResourceView | undefined {
  return stack.ofType('aws_security_group').find((sg) => refersTo(rule.config.security_group_id, sg.address));
}

function isLoadBalancerGroup(sg: ResourceView | undefined, stack: StackView): boolean {
  if (!sg) return false;
  return resourcesPointingAt(stack, ['aws_lb', 'aws_alb', 'aws_elb'], (c) => c.security_groups, sg, []).length > 0;
}

function describe(i: Ingress): string {
  const ports = i.protocol === '-1' || i.protocol === 'all' ? 'all traffic' : i.from === i.to ? `${i.protocol}/${i.from}` : `${i.protocol}/${i.from}-${i.to}`;
  return `${ports} from ${i.cidrs.filter((c) => WORLD.includes(c)).join(', ')}`;
}

export const networkRules: Rule[] = [
  {
    id: 'POL-VPC-001',
    title: 'VPC has flow logs',
    description: 'Every `aws_vpc` needs an `aws_flow_log` (traffic ALL) referencing it: the only record of who talked to what. ' +
      'modules/vpc.ts sends them to a KMS-encrypted log group.',
    severity: 'error',
    checkov: ['CKV2_AWS_11'],
    controls: ['FSBP EC2.6', 'CIS 3.9'],
    resourceTypes: ['aws_vpc'],
    check(vpc, stack) {
      const logs = resourcesPointingAt(stack, 'aws_flow_log', (c) => c.vpc_id, vpc, []);
      return logs.length > 0 ? undefined : 'no aws_flow_log references this VPC';
    },
  },
  {
    id: 'POL-VPC-002',
    title: 'Default security group of the VPC allows nothing',
    description: 'Resources launched without a security group land in the default one. Manage it with ' +
      '`aws_default_security_group` and no ingress and no egress rules.',
    severity: 'error',
    checkov: ['CKV2_AWS_12'],
    controls: ['FSBP EC2.2', 'CIS 5.3'],
    resourceTypes: ['aws_vpc'],
    check(vpc, stack) {
      const groups = resourcesPointingAt(stack, 'aws_default_security_group', (c) => c.vpc_id, vpc, []);
      if (groups.length === 0) return 'the default security group is not managed (aws_default_security_group) and keeps its allow rules';
      const open = groups.filter((g) => blocks(g.config.ingress).length > 0 || blocks(g.config.egress).length > 0);
      return open.length === 0 ? undefined : 'the default security group has ingress or egress rules';
    },
  },
  {
    id: 'POL-SG-001',
    title: 'No ingress from the internet except 80/443 on load balancer security groups',
    description: 'Ingress from 0.0.0.0/0 or ::/0 is only accepted for tcp/80 and tcp/443 on a security group attached to a ' +
      'load balancer (`aws_lb.security_groups`) in the same stack. Administration goes through SSM Session Manager or ' +
      'the client VPN, never an open port.',
    severity: 'error',
    checkov: ['CKV_AWS_24', 'CKV_AWS_25', 'CKV_AWS_260', 'CKV_AWS_277'],
    controls: ['FSBP EC2.18', 'FSBP EC2.19', 'FSBP EC2.53', 'CIS 5.2'],
    resourceTypes: ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule'],
    check(resource, stack) {
      let ingress: Ingress[];
      let group: ResourceView | undefined;
      if (resource.type === 'aws_security_group') {
        group = resource;
        ingress = blocks(resource.config.ingress).map((b) => ingressOf(b, 'protocol', [...strings(b.cidr_blocks), ...strings(b.ipv6_cidr_blocks)]));
      } else if (resource.type === 'aws_security_group_rule') {
        if (resource.config.type !== 'ingress') return undefined;
        group = groupOf(resource, stack);
        ingress = [ingressOf(resource.config, 'protocol', [...strings(resource.config.cidr_blocks), ...strings(resource.config.ipv6_cidr_blocks)])];
      } else {
        group = groupOf(resource, stack);
        ingress = [ingressOf(resource.config, 'ip_protocol', [...strings(resource.config.cidr_ipv4), ...strings(resource.config.cidr_ipv6)])];
      }
      const open = ingress.filter((i) => i.cidrs.some((c) => WORLD.includes(c)));
      if (open.length === 0) return undefined;
      const lb = isLoadBalancerGroup(group, stack);
      return open
        .filter((i) => !(lb && i.protocol === 'tcp' && i.from === i.to && PUBLIC_LB_PORTS.includes(i.from)))
        .map((i) => `ingress ${describe(i)}${lb ? '' : ' on a security group that is not a load balancer\'s'}`);
    },
  },
];
