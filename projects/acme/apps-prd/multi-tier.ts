import { defineLayer } from '../../../lib/config';
import { MultiTier } from '../../../layers/multi-tier';

// Production: at least one instance per AZ in each tier, protected load balancers and log bucket.
export default defineLayer(MultiTier, {
  // Replace with the account's real certificate (e.g. from the dns/cdn layer) before applying.
  certificateArn: 'arn:aws:acm:us-east-1:666666666666:certificate/0d2c5e1a-2222-4a2b-9c3d-000000000002',
  web: { instanceType: 'm7i.large', minSize: 3, desiredCapacity: 3, maxSize: 9, cpuTargetPercent: 50, requestsPerTarget: 1000 },
  app: { instanceType: 'm7i.large', minSize: 3, desiredCapacity: 3, maxSize: 12, cpuTargetPercent: 55, volumeSizeGb: 30 },
  deletionProtection: true,
  accessLogExpirationDays: 365,
  // Alarms go to the account's notification topic (security layer).
  useSecurityAlarmTopic: true,
});
