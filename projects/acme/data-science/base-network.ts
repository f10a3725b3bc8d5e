import { defineLayer } from '../../../lib/config';
import { BaseNetwork } from '../../../layers/base-network';

export default defineLayer(BaseNetwork, {
  vpcCidr: '10.50.0.0/16',
  // No NAT gateway: internet egress goes through the hub's inspection VPC (allowed domains only, transit-routes).
  natGateways: 'none',
});
