import { defineLayer } from '../../../lib/config';
import { Organizations } from '../../../layers/organizations';

/**
 * The acme organisation: Leverage's OU layout, every member account placed by name, and the backup plans of every
 * account holding data (each of them declares a backup layer creating the vaults and role the policies name).
 */
export default defineLayer(Organizations, {
  organizationalUnits: ['security', 'infrastructure', 'workloads', 'workloads/devstg', 'workloads/prd'],
  accountOus: {
    security: 'security',
    shared: 'infrastructure',
    network: 'infrastructure',
    'apps-devstg': 'workloads/devstg',
    'apps-prd': 'workloads/prd',
    'data-science': 'workloads/devstg',
  },
  backupPolicies: {
    // Production data and the shared platform (Backstage's database): five weeks of dailies, a quarter of weeklies and
    // a year of monthlies, every recovery point copied to us-west-2 (the monthlies kept there for 90 days).
    production: {
      targets: ['workloads/prd', 'shared'],
      plans: { standard: { daily: { retentionDays: 35 }, weekly: { retentionDays: 91 }, monthly: { retentionDays: 365, drCopyRetentionDays: 90 } } },
    },
    // Development and the data lake: a week of dailies and five weeks of weeklies, no DR copy.
    development: {
      targets: ['workloads/devstg'],
      plans: { standard: { daily: { retentionDays: 7, drCopyRetentionDays: false }, weekly: { retentionDays: 35, drCopyRetentionDays: false } } },
    },
  },
});
