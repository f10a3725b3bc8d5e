import { defineLayer } from '../../../lib/config';
import { Security } from '../../../layers/security';

export default defineLayer(Security, {});
