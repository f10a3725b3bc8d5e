import { defineLayer } from '../../../lib/config';
import { Fargate } from '../../../layers/fargate';
import { fromRegistry } from '../../../layers/registry-images';
import { fromSecrets } from '../../../layers/secrets';

/** The operational system in production: at least one task per AZ, on-demand capacity, protected ALB. */
export default defineLayer(Fargate, {
  // ops.<zone>: a DNS-validated certificate on the ALB and an alias record, in the account's dns-zone.
  domain: { subdomain: 'ops' },
  services: [
    {
      name: 'api',
      // The shared account's container-registry layer holds the repository; its URL is read from that layer.
      image: fromRegistry('acme/api', '1.4.2'),
      cpu: 1024,
      memory: 2048,
      port: 8080,
      desiredCount: 3,
      minCount: 3,
      maxCount: 12,
      healthCheckPath: '/healthz',
      pathPatterns: ['/api/*'],
      environment: { APP_ENV: 'prd', LOG_LEVEL: 'info' },
      // The secrets layer of this account holds it (value put out of band); the execution role may read only it.
      secrets: { DATABASE_URL: fromSecrets('api/database') },
    },
    {
      name: 'web',
      image: fromRegistry('acme/web', '2.0.1'),
      cpu: 512,
      memory: 1024,
      port: 3000,
      desiredCount: 3,
      minCount: 3,
      maxCount: 9,
      healthCheckPath: '/',
      environment: { APP_ENV: 'prd', API_URL: 'http://api.apps-prd.acme.internal:8080' },
    },
  ],
  waf: { rateLimit: 1000 },
});
