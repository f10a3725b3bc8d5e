import { defineLayer } from '../../../lib/config';
import { Cost } from '../../../layers/cost';

/**
 * Budgets per account, Cost Anomaly Detection (every service, and every account on its own) alerting the same
 * encrypted topic, and the organisation's CUR 2.0 export (Parquet) into an encrypted bucket of this account.
 */
export default defineLayer(Cost, {
  monthlyUsd: {
    management: 50,
    security: 300,
    shared: 400,
    network: 500,
    'apps-devstg': 1500,
    'apps-prd': 5000,
    'data-science': 1000,
  },
  notificationEmails: ['finops@acme.example.com'],
  // Alert on anomalies costing 100 USD or more that are also 10 % above the expected spend.
  anomalyDetection: { impactUsd: 100, impactPercent: 10 },
  dataExport: { timeGranularity: 'DAILY', retentionDays: 760 },
});
