import { defineLayer } from '../../../lib/config';
import { TransitRoutes } from '../../../layers/transit-routes';

/** Routes the organisation's ranges from the private subnets (the client VPN's interfaces) to the hub. */
export default defineLayer(TransitRoutes, { destinations: ['10.0.0.0/8'], routeTiers: ['private'] });
