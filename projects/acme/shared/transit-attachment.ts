import { defineLayer } from '../../../lib/config';
import { TransitAttachment } from '../../../layers/transit-attachment';

/** Attaches this account's VPC to the network account's hub; network-hub-routes accepts and routes it. */
export default defineLayer(TransitAttachment, { destinations: ['10.0.0.0/8'] });
