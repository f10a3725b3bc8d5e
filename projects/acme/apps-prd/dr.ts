import { defineLayer } from '../../../lib/config';
import { baseTfBackendContract } from '../../../layers/base-tf-backend';
import { cdnContract } from '../../../layers/cdn';
import { dnsZoneContract } from '../../../layers/dns-zone';
import { Dr } from '../../../layers/dr';
import { multiTierContract } from '../../../layers/multi-tier';
import { fromLayer } from '../../../lib/layer-ref';

/**
 * Pilot light of apps-prd in us-west-2 (the project's drRegion), over base-network-dr. Runbook: docs/data-and-dr.md.
 * Aurora uses backup-copy: global databases cannot use the RDS-managed master password the clusters rely on.
 */
export default defineLayer(Dr, {
  s3Replication: [
    { label: 'tf-state', bucketName: fromLayer(baseTfBackendContract, 'state_bucket_name'), kmsKeyArn: fromLayer(baseTfBackendContract, 'state_kms_key_arn') },
    { label: 'cdn-origin', bucketName: fromLayer(cdnContract, 'origin_bucket_name'), kmsKeyArn: fromLayer(cdnContract, 'origin_kms_key_arn') },
  ],
  aurora: { mode: 'backup-copy', copyRetentionDays: 35 },
  compute: { instanceType: 'm7i.large', desiredCapacity: 0, maxSize: 9, port: 8080 },
  failover: {
    hostedZoneId: fromLayer(dnsZoneContract, 'zone_id'),
    recordName: 'app.prd.acme.example.com',
    primaryDnsName: fromLayer(multiTierContract, 'web_alb_dns_name'),
    primaryZoneId: fromLayer(multiTierContract, 'web_alb_zone_id'),
  },
}, { region: 'us-west-2' });
