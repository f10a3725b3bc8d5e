import { defineLayer } from '../../../lib/config';
import { Monitoring } from '../../../layers/monitoring';

/** The security account is the delegated administrator (registered by management/organizations). */
export default defineLayer(Monitoring, {
  securityHubStandards: ['fsbp', 'cis-v3'],
  guardDutyFeatures: ['S3_DATA_EVENTS', 'EKS_AUDIT_LOGS', 'EBS_MALWARE_PROTECTION', 'RDS_LOGIN_EVENTS'],
  // Inspector and Macie in every account (designated by management/organizations in this region too).
  inspectorScans: ['EC2', 'ECR', 'LAMBDA', 'LAMBDA_CODE'],
  macie: true,
});
