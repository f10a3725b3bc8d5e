import { defineLayer } from '../../../lib/config';
import { TransitRoutes } from '../../../layers/transit-routes';

/**
 * Sends everything (the organisation's ranges and the internet) from the private subnets to the hub once
 * network-hub-routes has accepted this account's attachment: the data account has no NAT gateway, its egress goes
 * through the network-firewall's inspection VPC, which lets only the allowed domains through.
 */
export default defineLayer(TransitRoutes, { destinations: ['0.0.0.0/0'], routeTiers: ['private'] });
