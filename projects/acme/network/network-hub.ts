import { defineLayer } from '../../../lib/config';
import { NetworkHub } from '../../../layers/network-hub';
import { organizationsContract } from '../../../layers/organizations';
import { fromLayer } from '../../../lib/layer-ref';

/** The organisation's transit gateway, shared with every account of the organisation, one table per domain. */
export default defineLayer(NetworkHub, {
  shareWith: fromLayer(organizationsContract, 'organization_arn', { account: 'management' }),
  routeTables: ['prd', 'devstg', 'data', 'shared'],
});
