import { defineLayer } from '../../../lib/config';
import { Organizations } from '../../../layers/organizations';

/** The acme organisation: Leverage's OU layout, every member account placed by name. */
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
});
