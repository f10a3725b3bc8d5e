import { defineLayer } from '../../../lib/config';
import { MultiTier } from '../../../layers/multi-tier';

// Production: at least one instance per AZ in each tier, protected load balancers and log bucket.
export default defineLayer(MultiTier, {
  // web.<zone>: a DNS-validated certificate on the public ALB and an alias record, in the account's dns-zone.
  domain: { subdomain: 'web' },
  web: { instanceType: 'm7i.large', minSize: 3, desiredCapacity: 3, maxSize: 9, cpuTargetPercent: 50, requestsPerTarget: 1000 },
  app: { instanceType: 'm7i.large', minSize: 3, desiredCapacity: 3, maxSize: 12, cpuTargetPercent: 55, volumeSizeGb: 30 },
  protect: true,
  accessLogExpirationDays: 365,
  // Alarms go to the account's notification topic (security layer).
  useSecurityAlarmTopic: true,
});
