import { defineLayer } from '../../../lib/config';
import { Monitoring } from '../../../layers/monitoring';
import project from '../project';

/**
 * GuardDuty, Security Hub, Config and Access Analyzer are regional: the DR region gets its own detector, hub and
 * recorder (no global resources, no aggregators: the primary region aggregates every region).
 */
export default defineLayer(Monitoring, {
  securityHubStandards: ['fsbp', 'cis-v3'],
  guardDutyFeatures: ['S3_DATA_EVENTS', 'EKS_AUDIT_LOGS', 'EBS_MALWARE_PROTECTION', 'RDS_LOGIN_EVENTS'],
  // Inspector and Macie in every account (designated by management/organizations in this region too).
  inspectorScans: ['EC2', 'ECR', 'LAMBDA', 'LAMBDA_CODE'],
  macie: true,
}, { region: project.drRegion });
