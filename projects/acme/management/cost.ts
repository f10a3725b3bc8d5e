import { defineLayer } from '../../../lib/config';
import { Cost } from '../../../layers/cost';

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
});
