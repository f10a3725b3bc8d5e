import { defineLayer } from '../../../lib/config';
import { Compliance } from '../../../layers/compliance';

/** AWS Config of this account, delivered to the security account's log archive. */
export default defineLayer(Compliance, {});
