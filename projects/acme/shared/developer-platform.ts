import { defineLayer } from '../../../lib/config';
import { DeveloperPlatform } from '../../../layers/developer-platform';
import { fromSecrets } from '../../../layers/secrets';

/**
 * Harmonix on AWS (Backstage) for the organisation. Provisions into every account declaring a platform-access
 * layer (apps-devstg, apps-prd). Build and push the Backstage image to the repository this layer creates, then set
 * imageTag.
 */
export default defineLayer(DeveloperPlatform, {
  // portal.acme.example.com in the dns layer's public zone: certificate, alias record and Backstage's base URLs.
  domain: { subdomain: 'portal' },
  backstage: {
    imageTag: '1.0.0',
    desiredCount: 2,
    // From the shared account's secrets layer (value put out of band); Backstage's execution role may read only it.
    secrets: { GITLAB_TOKEN: fromSecrets('idp/gitlab') },
  },
  database: { instanceCount: 2, serverlessV2: { minCapacity: 0.5, maxCapacity: 4 }, backupRetentionDays: 14 },
});
