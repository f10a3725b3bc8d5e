import { defineLayer } from '../../../lib/config';
import { Secrets } from '../../../layers/secrets';

/**
 * Secrets of the shared account, encrypted with its security layer's secrets key. Only the containers are created:
 * put each value out of band (docs/workloads.md "secrets"). Backstage (developer-platform) reads the GitLab token.
 */
export default defineLayer(Secrets, {
  secrets: [
    {
      name: 'idp/gitlab',
      description: 'GitLab personal or group access token Backstage uses for its integrations (scopes read_api, read_repository); put by the platform team',
    },
  ],
});
