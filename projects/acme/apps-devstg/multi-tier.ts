import { defineLayer } from '../../../lib/config';
import { MultiTier } from '../../../layers/multi-tier';

// The classic web/app proposal at development size: one instance per tier, shrunk to zero at night.
export default defineLayer(MultiTier, {
  // web.<zone>: a DNS-validated certificate on the public ALB and an alias record, in the account's dns-zone.
  domain: { subdomain: 'web' },
  web: {
    instanceType: 't3.small',
    minSize: 1,
    desiredCapacity: 1,
    maxSize: 2,
    scheduledScaleDown: {
      scaleDownRecurrence: '0 20 * * MON-FRI',
      scaleUpRecurrence: '0 7 * * MON-FRI',
      minSize: 0,
      desiredCapacity: 0,
      maxSize: 0,
      timeZone: 'America/New_York',
    },
  },
  app: {
    instanceType: 't3.small',
    minSize: 1,
    desiredCapacity: 1,
    maxSize: 2,
    scheduledScaleDown: {
      scaleDownRecurrence: '0 20 * * MON-FRI',
      scaleUpRecurrence: '0 7 * * MON-FRI',
      minSize: 0,
      desiredCapacity: 0,
      maxSize: 0,
      timeZone: 'America/New_York',
    },
  },
  // Alarms go to the account's notification topic (security layer).
  useSecurityAlarmTopic: true,
});
