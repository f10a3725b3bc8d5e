import { defineLayer } from '../../../lib/config';
import { Backup } from '../../../layers/backup';

/** AWS Backup of shared (Backstage's Aurora): plans from the organisation's production backup policy. */
export default defineLayer(Backup, {});
