import { defineLayer } from '../../../lib/config';
import { baseTfBackendContract } from '../../../layers/base-tf-backend';
import { cdnContract } from '../../../layers/cdn';
import { Dr } from '../../../layers/dr';
import { multiTierContract } from '../../../layers/multi-tier';
import { fromLayer } from '../../../lib/layer-ref';

/**
 * Pilot light of apps-prd in us-west-2 (the project's drRegion), over base-network-dr. Runbook: docs/data-and-dr.md.
 * Aurora uses backup-copy (the backup layer's copies): global databases cannot use the RDS-managed master password the
 * clusters rely on.
 * Failover: origin.prd.acme.example.com (the cdn layer's /app/* origin) answers with the multi-tier web ALB while its
 * health check passes, then with the DR ALB; app.prd.acme.example.com stays the cdn layer's alias to CloudFront.
 */
export default defineLayer(Dr, {
  s3Replication: [
    { label: 'tf-state', bucketName: fromLayer(baseTfBackendContract, 'state_bucket_name'), kmsKeyArn: fromLayer(baseTfBackendContract, 'state_kms_key_arn') },
    { label: 'cdn-origin', bucketName: fromLayer(cdnContract, 'origin_bucket_name'), kmsKeyArn: fromLayer(cdnContract, 'origin_kms_key_arn') },
  ],
  // The backup layer copies the cluster's recovery points to its us-west-2 vault (organisation policy "production").
  aurora: { mode: 'backup-copy' },
  compute: { instanceType: 'm7i.large', desiredCapacity: 0, maxSize: 9, port: 8080 },
  failover: {
    subdomain: 'origin',
    primaryDnsName: fromLayer(multiTierContract, 'web_alb_dns_name'),
    primaryZoneId: fromLayer(multiTierContract, 'web_alb_zone_id'),
    primaryListenerArn: fromLayer(multiTierContract, 'web_https_listener_arn'),
  },
}, { region: 'us-west-2' });
