import { defineLayer } from '../../../lib/config';
import { NetworkHub } from '../../../layers/network-hub';
import { organizationsContract } from '../../../layers/organizations';
import { fromLayer } from '../../../lib/layer-ref';

/**
 * The organisation's transit gateway, shared with every account of the organisation: one table per routing domain
 * (network holds this account's VPC, where the client VPN lands), and the table of the inspection VPC
 * (network-firewall), into which every VPC propagates so that inspected traffic finds its way back.
 */
export default defineLayer(NetworkHub, {
  shareWith: fromLayer(organizationsContract, 'organization_arn', { account: 'management' }),
  routeTables: ['prd', 'devstg', 'data', 'shared', 'network', 'inspection'],
});
