import { defineLayer } from '../../../lib/config';
import { Backup } from '../../../layers/backup';

/** AWS Backup of data-science (the data lake's raw and curated buckets): plans from the development backup policy. */
export default defineLayer(Backup, {});
