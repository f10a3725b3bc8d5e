import { defineLayer } from '../../../lib/config';
import { Fargate } from '../../../layers/fargate';
import { fromRegistry } from '../../../layers/registry-images';
import { fromSecrets } from '../../../layers/secrets';

/** The operational system in devstg: small tasks, one each, mostly on Fargate Spot. */
export default defineLayer(Fargate, {
  // ops.<zone>: a DNS-validated certificate on the ALB and an alias record, in the account's dns-zone.
  domain: { subdomain: 'ops' },
  services: [
    {
      name: 'api',
      // The shared account's container-registry layer holds the repository; its URL is read from that layer.
      image: fromRegistry('acme/api', '1.4.2'),
      cpu: 256,
      memory: 512,
      port: 8080,
      desiredCount: 1,
      maxCount: 2,
      healthCheckPath: '/healthz',
      pathPatterns: ['/api/*'],
      environment: { APP_ENV: 'devstg', LOG_LEVEL: 'debug' },
      // The secrets layer of this account holds it (value put out of band); the execution role may read only it.
      secrets: { DATABASE_URL: fromSecrets('api/database') },
      spotPercent: 100,
    },
    {
      name: 'web',
      image: fromRegistry('acme/web', '2.0.1'),
      cpu: 256,
      memory: 512,
      port: 3000,
      desiredCount: 1,
      maxCount: 2,
      healthCheckPath: '/',
      environment: { APP_ENV: 'devstg', API_URL: 'http://api.apps-devstg.acme.internal:8080' },
      spotPercent: 100,
    },
  ],
});
