import { defineLayer } from '../../../lib/config';
import { Secrets } from '../../../layers/secrets';

/**
 * Secrets of apps-devstg, encrypted with the security layer's secrets key. Only the containers are created: put each value
 * out of band (docs/workloads.md "secrets"). Readers are the layers referencing a secret with fromSecrets(...): here
 * the fargate api service's execution role and the serverless process function's role.
 */
export default defineLayer(Secrets, {
  secrets: [
    {
      name: 'api/database',
      description: 'PostgreSQL connection URL of the api service (an application user of the databases layer\'s Aurora cluster, never the master user); put by the platform team',
    },
    {
      // The serverless layer held this secret before (same name): import it once, see docs/serverless-and-multi-tier.md.
      name: 'serverless/api-key',
      description: 'API key of the partner service the serverless process function calls at run time; issued by that service and put by the team owning the integration',
    },
  ],
});
