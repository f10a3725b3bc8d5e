import { defineLayer } from '../../../lib/config';
import { TransitAttachment } from '../../../layers/transit-attachment';

/** Attaches this account's VPC (where the client VPN lands) to its own hub; AWS accepts an attachment of the hub's account at once. */
export default defineLayer(TransitAttachment, {});
