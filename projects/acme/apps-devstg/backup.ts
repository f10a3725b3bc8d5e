import { defineLayer } from '../../../lib/config';
import { Backup } from '../../../layers/backup';

/** AWS Backup of apps-devstg: plans from the organisation's development backup policy (no DR copy). */
export default defineLayer(Backup, {});
