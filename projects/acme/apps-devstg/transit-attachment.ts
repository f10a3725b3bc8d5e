import { defineLayer } from '../../../lib/config';
import { TransitAttachment } from '../../../layers/transit-attachment';

/** Attaches this account's VPC to the network account's hub; network-hub-routes accepts it, transit-routes routes to it. */
export default defineLayer(TransitAttachment, {});
