import { defineLayer } from '../../../lib/config';
import { NetworkHubRoutes } from '../../../layers/network-hub-routes';

/**
 * Accepts each workload VPC attachment and keeps prd, devstg and data apart; all of them reach shared, and the network
 * VPC (the client VPN's) reaches all of them. Traffic between domains, and the data account's internet egress, go
 * through the inspection VPC of network-firewall (declared in this account, so used by default).
 */
export default defineLayer(NetworkHubRoutes, {
  attachments: [
    { account: 'apps-prd', domain: 'prd' },
    { account: 'apps-devstg', domain: 'devstg' },
    { account: 'data-science', domain: 'data' },
    { account: 'shared', domain: 'shared' },
    { account: 'network', domain: 'network' },
  ],
  reachability: {
    prd: ['prd', 'shared', 'network'],
    devstg: ['devstg', 'shared', 'network'],
    data: ['data', 'shared', 'network'],
    shared: ['prd', 'devstg', 'data', 'shared', 'network'],
    network: ['prd', 'devstg', 'data', 'shared'],
  },
  isolated: [['prd', 'devstg'], ['prd', 'data'], ['devstg', 'data']],
});
