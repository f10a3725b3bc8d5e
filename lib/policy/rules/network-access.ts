/** Client VPN (people's access to private networks) and Network Firewall (inspection between networks and to the internet). */
import { block, blocks, isProduction, isSet, resourcesPointingAt, strings, truthy, type Rule } from '../model';

/** Stateful default actions that drop what no rule passes (strict rule order only). */
const STATEFUL_DROP_DEFAULTS = ['aws:drop_strict', 'aws:drop_established'];
const WORLD = '0.0.0.0/0';

export const networkAccessRules: Rule[] = [
  {
    id: 'POL-CVPN-001',
    title: 'Client VPN endpoints log connections',
    description: 'Set `connection_log_options` with `enabled = true` and a CloudWatch log group: the connection log is the only ' +
      'record of who connected, from where and when (modules/client-vpn-endpoint.ts writes it to a KMS-encrypted group).',
    severity: 'error',
    checkov: [],
    controls: ['FSBP EC2.51'],
    resourceTypes: ['aws_ec2_client_vpn_endpoint'],
    check(endpoint) {
      const logs = block(endpoint.config.connection_log_options);
      if (!logs || !truthy(logs.enabled)) return 'connection logging is off (connection_log_options.enabled)';
      return isSet(logs.cloudwatch_log_group) ? undefined : 'connection logging names no cloudwatch_log_group';
    },
  },
  {
    id: 'POL-CVPN-002',
    title: 'Client VPN endpoints state whether they split the tunnel',
    description: 'Set `split_tunnel` explicitly. The API default (false, full tunnel) sends every packet of a connected laptop ' +
      'through the VPC, NAT gateways included; split tunnel sends only the endpoint\'s routes. Either can be right, so ' +
      'the choice must be written down, not inherited.',
    severity: 'error',
    checkov: [],
    controls: [],
    resourceTypes: ['aws_ec2_client_vpn_endpoint'],
    check(endpoint) {
      return endpoint.config.split_tunnel === undefined ? 'split_tunnel is not set (the API default is a full tunnel)' : undefined;
    },
  },
  {
    id: 'POL-CVPN-003',
    title: 'No production Client VPN rule opens 0.0.0.0/0 to every authenticated user',
    description: 'In a production account an `aws_ec2_client_vpn_authorization_rule` for `0.0.0.0/0` names an `access_group_id` ' +
      '(an Identity Center group) instead of `authorize_all_groups`: otherwise anyone the identity provider authenticates ' +
      'reaches every network the endpoint routes. Other environments are not checked.',
    severity: 'error',
    checkov: [],
    controls: [],
    resourceTypes: ['aws_ec2_client_vpn_authorization_rule'],
    check(rule, stack) {
      if (!isProduction(stack)) return undefined;
      return rule.config.target_network_cidr === WORLD && truthy(rule.config.authorize_all_groups)
        ? 'authorizes every group to 0.0.0.0/0 in a production account'
        : undefined;
    },
  },
  {
    id: 'POL-NFW-001',
    title: 'Network firewalls log alerts and flows',
    description: 'Every `aws_networkfirewall_firewall` has an `aws_networkfirewall_logging_configuration` with an ALERT and a FLOW ' +
      'destination: without them a dropped or passed connection leaves no trace (modules/inspection-firewall.ts sends both ' +
      'to KMS-encrypted log groups).',
    severity: 'error',
    checkov: [],
    controls: ['FSBP NetworkFirewall.2'],
    resourceTypes: ['aws_networkfirewall_firewall'],
    check(firewall, stack) {
      const configs = resourcesPointingAt(stack, 'aws_networkfirewall_logging_configuration', (c) => c.firewall_arn, firewall, ['name']);
      if (configs.length === 0) return 'no aws_networkfirewall_logging_configuration references this firewall';
      const types = new Set(configs.flatMap((c) => blocks(block(c.config.logging_configuration)?.log_destination_config).map((d) => String(d.log_type))));
      const missing = ['ALERT', 'FLOW'].filter((t) => !types.has(t));
      return missing.length === 0 ? undefined : `the logging configuration has no ${missing.join(' and ')} destination`;
    },
  },
  {
    id: 'POL-NFW-002',
    title: 'Production network firewalls have deletion protection',
    description: 'In a production account set `delete_protection = true` on `aws_networkfirewall_firewall` (the layer\'s `protect`, ' +
      'on by default): deleting the firewall of an inspection VPC cuts every network routed through it. Other environments ' +
      'are not checked.',
    severity: 'error',
    checkov: ['CKV_AWS_344'],
    controls: ['FSBP NetworkFirewall.9'],
    resourceTypes: ['aws_networkfirewall_firewall'],
    check(firewall, stack) {
      if (!isProduction(stack)) return undefined;
      return truthy(firewall.config.delete_protection) ? undefined : 'delete_protection is off in a production account';
    },
  },
  {
    id: 'POL-NFW-003',
    title: 'Network firewall policies forward to the stateful engine and drop by default',
    description: 'An `aws_networkfirewall_firewall_policy` sends packets no stateless rule handles to the stateful engine ' +
      '(`aws:forward_to_sfe` as stateless default and fragment default action) and, in strict rule order, drops what no ' +
      'stateful rule passes (`aws:drop_established` or `aws:drop_strict`). With the default action order the stateful ' +
      'engine passes unmatched traffic, so an allow-list would allow everything.',
    severity: 'error',
    checkov: [],
    controls: ['FSBP NetworkFirewall.4', 'FSBP NetworkFirewall.5'],
    resourceTypes: ['aws_networkfirewall_firewall_policy'],
    check(policy) {
      const p = block(policy.config.firewall_policy) ?? {};
      const problems: string[] = [];
      for (const key of ['stateless_default_actions', 'stateless_fragment_default_actions']) {
        if (!strings(p[key]).includes('aws:forward_to_sfe')) problems.push(`${key} does not forward to the stateful engine (aws:forward_to_sfe)`);
      }
      const order = block(p.stateful_engine_options)?.rule_order;
      if (order !== 'STRICT_ORDER') problems.push('stateful rules are not in STRICT_ORDER, so unmatched traffic passes');
      else if (!strings(p.stateful_default_actions).some((a) => STATEFUL_DROP_DEFAULTS.includes(a))) {
        problems.push('stateful_default_actions drop nothing (aws:drop_established or aws:drop_strict)');
      }
      return problems;
    },
  },
];
