import { defineLayer } from '../../../lib/config';
import { NetworkHubRoutes } from '../../../layers/network-hub-routes';

/** Accepts each workload VPC attachment and keeps prd, devstg and data apart; all of them reach shared. */
export default defineLayer(NetworkHubRoutes, {
  attachments: [
    { account: 'apps-prd', domain: 'prd' },
    { account: 'apps-devstg', domain: 'devstg' },
    { account: 'data-science', domain: 'data' },
    { account: 'shared', domain: 'shared' },
  ],
  reachability: {
    prd: ['prd', 'shared'],
    devstg: ['devstg', 'shared'],
    data: ['data', 'shared'],
    shared: ['prd', 'devstg', 'data', 'shared'],
  },
  isolated: [['prd', 'devstg'], ['prd', 'data'], ['devstg', 'data']],
});
