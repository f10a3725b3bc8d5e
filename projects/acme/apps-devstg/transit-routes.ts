import { defineLayer } from '../../../lib/config';
import { TransitRoutes } from '../../../layers/transit-routes';

/** Routes the organisation's ranges to the hub once network-hub-routes has accepted this account's attachment. */
export default defineLayer(TransitRoutes, { destinations: ['10.0.0.0/8'] });
