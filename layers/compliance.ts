import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { FieldProblems, knownAccount } from '../lib/validators';
import { ConfigRecorder } from '../modules/config-recorder';
import { auditContract } from './audit';
import { monitoringContract } from './monitoring';

export interface ComplianceConfig {
  /** Account (by name) of the audit layer whose Config delivery bucket receives the snapshots. @default 'security' */
  readonly auditAccount?: string;
  /** Record global resources (IAM) here. @default true when the layer runs in the project's primary region */
  readonly includeGlobalResources?: boolean;
  /** @default 'TwentyFour_Hours' */
  readonly snapshotFrequency?: 'One_Hour' | 'Three_Hours' | 'Six_Hours' | 'Twelve_Hours' | 'TwentyFour_Hours';
}

export const complianceContract = defineContract('compliance', {
  config_recorder_name: { description: 'AWS Config recorder of the account and region', mock: 'acme-apps-prd-config' },
  config_role_arn: { description: 'Role of the recorder', mock: 'arn:aws:iam::666666666666:role/acme-apps-prd-config-us-east-1' },
});

/**
 * Leverage security-compliance for member accounts: an AWS Config recorder (every supported resource) delivering
 * to the Config delivery bucket of the audit layer, so the organisation aggregator and Security Hub's Config-based
 * controls see every account. The security account records through its monitoring layer instead.
 */
export class Compliance extends LayerStack {
  static readonly contract = complianceContract;

  static validate(config: ComplianceConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    problems.check('auditAccount', knownAccount(ctx.org, config.auditAccount ?? 'security'));
    const monitoring = [...ctx.account.layers.entries()].find(([, d]) =>
      d.enabled && d.kind.contract === monitoringContract && (d.region ?? ctx.account.region) === ctx.region);
    if (monitoring) {
      problems.add('layer', `layer ${monitoring[0]} already records AWS Config in ${ctx.region} (one recorder per account and region)`);
    }
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: ComplianceConfig) {
    super(scope, ctx);
    const audit = this.remote(auditContract, { account: config.auditAccount ?? 'security' });
    const recorder = new ConfigRecorder(this, 'config', {
      name: this.resourceName('config'),
      accountId: ctx.account.id,
      region: ctx.region,
      bucketName: audit.get('config_bucket_name'),
      kmsKeyArn: audit.get('config_kms_key_arn'),
      includeGlobalResources: config.includeGlobalResources ?? ctx.region === ctx.org.project.primaryRegion,
      snapshotFrequency: config.snapshotFrequency,
    });
    this.publish(complianceContract, { config_recorder_name: recorder.recorder.name, config_role_arn: recorder.role.arn });
  }
}
