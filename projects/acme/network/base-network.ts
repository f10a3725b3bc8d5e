import { defineLayer } from '../../../lib/config';
import { BaseNetwork } from '../../../layers/base-network';

export default defineLayer(BaseNetwork, {
  vpcCidr: '10.20.0.0/16',
  natGateways: 'one-per-az',
});
