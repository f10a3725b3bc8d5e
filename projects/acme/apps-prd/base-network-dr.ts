import { defineLayer } from '../../../lib/config';
import { BaseNetwork } from '../../../layers/base-network';

export default defineLayer(BaseNetwork, {
  vpcCidr: '10.41.0.0/16',
  natGateways: 'none',
  // Pilot light: no NAT cost until failover; scale up by switching to one-per-az.
}, { region: 'us-west-2' });
