import { defineLayer } from '../../../lib/config';
import { BaseNetwork } from '../../../layers/base-network';
import project from '../project';

/** The VPC of the pilot light in the project's DR region (read from project.ts, never typed twice). */
export default defineLayer(BaseNetwork, {
  vpcCidr: '10.41.0.0/16',
  natGateways: 'none',
  // Pilot light: no NAT cost until failover; scale up by switching to one-per-az.
}, { region: project.drRegion });
