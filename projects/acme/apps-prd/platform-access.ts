import { defineLayer } from '../../../lib/config';
import { PlatformAccess } from '../../../layers/platform-access';

/** Lets the developer platform of the shared account provision into and operate this account. */
export default defineLayer(PlatformAccess, {});
