import { defineLayer } from '../../../lib/config';
import { Dns } from '../../../layers/dns';

/** Public zone of the organisation with delegations to the workload sub-zones; one private zone for internal names. */
export default defineLayer(Dns, {
  publicZones: [{
    name: 'acme.example.com',
    delegations: [{ account: 'apps-devstg' }, { account: 'apps-prd' }, { account: 'network' }],
  }],
  privateZones: [{
    name: 'acme.internal',
    vpcs: [{ account: 'shared' }, { account: 'apps-devstg' }, { account: 'apps-prd' }],
  }],
});
