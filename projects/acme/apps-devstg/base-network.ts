import { defineLayer } from '../../../lib/config';
import { BaseNetwork } from '../../../layers/base-network';

export default defineLayer(BaseNetwork, {
  vpcCidr: '10.30.0.0/16',
  natGateways: 'single',
});
