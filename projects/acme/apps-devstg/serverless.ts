import { defineLayer } from '../../../lib/config';
import { Serverless } from '../../../layers/serverless';
import { fromSecrets } from '../../../layers/secrets';

// Development size: small reserved concurrency and throttling, every state-machine step logged.
export default defineLayer(Serverless, {
  functions: {
    api: { reservedConcurrency: 5 },
    writer: { reservedConcurrency: 2 },
    stream: { reservedConcurrency: 2 },
    validate: { reservedConcurrency: 2 },
    process: { reservedConcurrency: 2 },
  },
  throttling: { burstLimit: 50, rateLimit: 20 },
  corsAllowOrigins: ['https://app.devstg.acme.example.com'],
  // The front end's users (cdn layer's Cognito pool) call the API; the cdn's /api/* origin is api.<zone>/api.
  useCdnUserPool: true,
  customDomain: { subdomain: 'api' },
  // The partner API key the process function reads, held by the account's secrets layer (put out of band).
  processSecret: fromSecrets('serverless/api-key'),
  // Alarms go to the account's notification topic (security layer).
  useSecurityAlarmTopic: true,
});
