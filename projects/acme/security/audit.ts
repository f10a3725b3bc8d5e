import { defineLayer } from '../../../lib/config';
import { Audit } from '../../../layers/audit';

export default defineLayer(Audit, {
  logGroupRetentionDays: 365,
  glacierAfterDays: 90,
  archiveRetentionDays: 2555,
  alarmEmails: ['security@acme.example.com'],
});
