import { defineLayer } from '../../../lib/config';
import { DataLake } from '../../../layers/data-lake';

/**
 * The data product's lake: curated data shared with apps-prd through Lake Formation. Its administrators are the DevOps
 * deploy role and the `acme-data-science-data-lake-admin` role this layer creates, which the DevOps and Administrator
 * permission sets (the project's deploy sets) assume in this account.
 */
export default defineLayer(DataLake, {
  analystTrustedPrincipals: ['arn:aws:iam::777777777777:root'],
  stream: { mode: 'ON_DEMAND', retentionHours: 48 },
  firehose: {
    prefix: 'events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
    errorOutputPrefix: 'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
  },
  crawlerSchedule: 'cron(0 3 * * ? *)',
  lifecycle: { infrequentAccessAfterDays: 30, glacierAfterDays: 180 },
  athena: { bytesScannedCutoffPerQuery: 10 * 1024 * 1024 * 1024, resultsExpirationDays: 30 },
  shares: [{ account: 'apps-prd', tablePermissions: ['SELECT', 'DESCRIBE'] }],
});
