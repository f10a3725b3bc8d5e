import { defineLayer } from '../../../lib/config';
import { Backup } from '../../../layers/backup';

/** AWS Backup of apps-prd: plans from the organisation's production backup policy; locked vaults here and in us-west-2. */
export default defineLayer(Backup, {});
