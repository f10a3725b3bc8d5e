import { defineLayer } from '../../../lib/config';
import { MultiTier } from '../../../layers/multi-tier';

// The classic web/app proposal at development size: one instance per tier, shrunk to zero at night.
export default defineLayer(MultiTier, {
  // Replace with the account's real certificate (e.g. from the dns/cdn layer) before applying.
  certificateArn: 'arn:aws:acm:us-east-1:555555555555:certificate/0d2c5e1a-1111-4a2b-9c3d-000000000001',
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
