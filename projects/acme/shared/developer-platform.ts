import { defineLayer } from '../../../lib/config';
import { DeveloperPlatform } from '../../../layers/developer-platform';

/**
 * Harmonix on AWS (Backstage) for the organisation. Provisions into every account declaring a platform-access
 * layer (apps-devstg, apps-prd). Build and push the Backstage image to the repository this layer creates, then set
 * imageTag.
 */
export default defineLayer(DeveloperPlatform, {
  certificateArn: 'arn:aws:acm:us-east-1:333333333333:certificate/05ha0ed0-0000-4000-8000-000000000001',
  backstage: {
    imageTag: '1.0.0',
    desiredCount: 2,
    environment: { APP_CONFIG_app_baseUrl: 'https://portal.acme.example.com', APP_CONFIG_backend_baseUrl: 'https://portal.acme.example.com' },
    secrets: { GITLAB_TOKEN: 'arn:aws:secretsmanager:us-east-1:333333333333:secret:acme/shared/idp/gitlab-Xy12Zw' },
  },
  database: { instanceCount: 2, serverlessV2: { minCapacity: 0.5, maxCapacity: 4 }, backupRetentionDays: 14 },
});
