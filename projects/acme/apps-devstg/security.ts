import { defineLayer } from '../../../lib/config';
import { Security } from '../../../layers/security';

// Shorter key deletion window in the sandbox-like environment; everything else is the CIS baseline.
export default defineLayer(Security, { keyDeletionWindowDays: 7 });
