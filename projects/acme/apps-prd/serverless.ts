import { defineLayer } from '../../../lib/config';
import { Serverless } from '../../../layers/serverless';
import { fromSecrets } from '../../../layers/secrets';

// Production: more concurrency and throttling headroom, errors-only workflow logs, table and pool protected.
export default defineLayer(Serverless, {
  functions: {
    api: { reservedConcurrency: 50, memoryMb: 512 },
    writer: { reservedConcurrency: 10, timeoutSeconds: 20 },
    stream: { reservedConcurrency: 10, timeoutSeconds: 30 },
    validate: { reservedConcurrency: 10 },
    process: { reservedConcurrency: 10, timeoutSeconds: 30 },
  },
  throttling: { burstLimit: 500, rateLimit: 250 },
  corsAllowOrigins: ['https://app.prd.acme.example.com'],
  // The front end's users (cdn layer's Cognito pool) call the API; the cdn's /api/* origin is api.<zone>/api.
  useCdnUserPool: true,
  customDomain: { subdomain: 'api' },
  stateMachineLogLevel: 'ERROR',
  logRetentionDays: 365,
  // The partner API key the process function reads, held by the account's secrets layer (put out of band).
  processSecret: fromSecrets('serverless/api-key'),
  // Alarms go to the account's notification topic (security layer).
  useSecurityAlarmTopic: true,
});
