import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn } from 'cdktf';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { declaredLayer, declaresLayer } from '../lib/layer-presence';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext, ResolvedAccount } from '../lib/model';
import { FieldProblems } from '../lib/validators';
import { resourceName, roleArn } from '../lib/naming';
import { AuroraCluster, auroraPropProblems, type AuroraServerlessV2Scaling } from '../modules/aurora-cluster';
import { dnsClaimProblems, NO_DNS_CLAIMS, type DnsClaims } from '../modules/dns-claims';
import { DnsValidatedCertificate } from '../modules/dns-validated-certificate';
import { DynamoTable } from '../modules/dynamo-table';
import { EcrRepository } from '../modules/ecr-repository';
import { certificateProblems, FargateCluster, fargateClusterPropProblems } from '../modules/fargate-cluster';
import { executionRoleName, serviceSpecProblems } from '../modules/fargate-service';
import { keyFromArn } from '../modules/kms-key';
import { AUDIT_TABLE_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, ROLE_ASSUME_ACTIONS } from '../modules/perms';
import { operationsRoleName, provisioningRoleName } from '../modules/platform-roles';
import { allow } from '../modules/policy';
import { ServiceRole, type Role } from '../modules/role';
import { foundationFromSecurity, foundationProblems, OwnFoundation, type FoundationSource, type WorkloadFoundation } from '../modules/workload-foundation';
import { baseNetworkContract } from './base-network';
import { wafConfigProblems, webAclRules, type CdnWafConfig } from './cdn';
import { Dns, dnsContract } from './dns';
import { DnsZone, isInZone } from './dns-zone';
import { isSecretRef, resolveContainerSecrets, secretRefProblems, type SecretReader, type SecretRef } from './secrets';
import { securityContract } from './security';

export interface BackstageConfig {
  /** Tag of the Backstage image in this layer's ECR repository (immutable tags: bump to deploy). */
  readonly imageTag: string;
  /** @default 1024 */
  readonly cpu?: number;
  /** @default 2048 */
  readonly memory?: number;
  /** @default 2 */
  readonly desiredCount?: number;
  /** @default desiredCount */
  readonly minCount?: number;
  /** @default 2 x desiredCount */
  readonly maxCount?: number;
  /** Backstage listens on 7007. @default 7007 */
  readonly port?: number;
  /** @default '/healthcheck' */
  readonly healthCheckPath?: string;
  /** Extra plain environment (app-config overrides such as `APP_CONFIG_app_baseUrl`). @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Integration secrets (GitLab token, OIDC client secret): `fromSecrets('idp/gitlab')` (a secret of this account's
   * secrets layer, optionally one JSON key) or a Secrets Manager ARN for secrets outside the organisation. @default {}
   */
  readonly secrets?: Readonly<Record<string, string | SecretRef>>;
}

export interface PlatformDatabaseConfig {
  /** 1 writer plus readers. @default 2 */
  readonly instanceCount?: number;
  /** Serverless v2 capacity. @default { minCapacity: 0.5, maxCapacity: 4 } */
  readonly serverlessV2?: AuroraServerlessV2Scaling;
  /** @default 14 */
  readonly backupRetentionDays?: number;
}

/** The portal's name in a public zone of this account's dns layer. */
export interface PortalDomain {
  /** One DNS label: `portal` gives `portal.acme.example.com`. */
  readonly subdomain: string;
  /** The dns layer of this account holding the zone. @default 'dns' */
  readonly dnsLayer?: string;
  /** Which of its public zones. @default its first public zone */
  readonly zone?: string;
}

export interface DeveloperPlatformConfig {
  /**
   * The portal's name, e.g. `{ subdomain: 'portal' }`: a DNS-validated certificate on the ALB, a simple alias record,
   * and Backstage's base URLs (`APP_CONFIG_app_baseUrl`, `APP_CONFIG_backend_baseUrl`, unless set in
   * backstage.environment). Give exactly one of `domain` and `certificateArn`. @default - none (then certificateArn is required)
   */
  readonly domain?: PortalDomain;
  /** An existing ACM certificate of the layer's region. Exactly one of `domain` and `certificateArn`. @default - none */
  readonly certificateArn?: string;
  readonly backstage: BackstageConfig;
  /** @default serverless v2, 2 instances, 14 days of backups */
  readonly database?: PlatformDatabaseConfig;
  /**
   * Workload accounts the platform provisions into (one audit table each, and the roles it may assume there).
   * @default every account declaring an enabled `platform-access` layer
   */
  readonly workloadAccounts?: readonly string[];
  /** Client ranges allowed to the portal (an office or VPN range in production). @default ['0.0.0.0/0'] */
  readonly ingressCidrs?: readonly string[];
  /** @default the CDN defaults */
  readonly waf?: CdnWafConfig;
  /** @default 'security-layer' when the account declares one, otherwise 'own' */
  readonly foundation?: FoundationSource;
  /** Name prefix of the cluster, ALB and roles (ALB at most 32 characters). @default `<project>-<account>-idp` */
  readonly name?: string;
}

export const developerPlatformContract = defineContract('developer-platform', {
  portal_url: { description: 'https URL of the portal ("" with a certificateArn from config)', mock: 'https://portal.acme.example.com' },
  portal_dns_name: { description: 'DNS name of the portal ALB (alias target)', mock: 'acme-mock-idp-123456789.us-east-1.elb.amazonaws.com' },
  portal_zone_id: { description: 'Route 53 zone id of the portal ALB', mock: 'Z35SXDOTRQ7X7K' },
  cluster_name: { description: 'ECS cluster running Backstage', mock: 'acme-mock-idp' },
  repository_url: { description: 'ECR repository of the Backstage image', mock: '111111111111.dkr.ecr.us-east-1.amazonaws.com/acme/backstage' },
  database_endpoint: { description: 'Aurora PostgreSQL writer endpoint', mock: 'acme-mock-idp.cluster-mock.us-east-1.rds.amazonaws.com' },
  database_secret_arn: { description: 'RDS-managed master secret of the database', mock: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:rds!cluster-mock' },
  audit_table_names: { description: 'DynamoDB audit tables, one per workload account, in workloadAccounts order', mock: ['acme-mock-idp-audit-apps-devstg'] },
  platform_role_arn: { description: 'Role of Backstage itself (assumes the operations roles of workload accounts)', mock: 'arn:aws:iam::111111111111:role/acme-mock-idp-backstage-task' },
  pipeline_role_arn: { description: 'Role of the platform pipelines (assumes the provisioning roles of workload accounts)', mock: 'arn:aws:iam::111111111111:role/acme-mock-idp-pipeline' },
});

/** Declared name of the provisioning-roles layer in each workload account. */
export const PLATFORM_ACCESS_LAYER = 'platform-access';

/** The portal's name, its zone and where that zone sits in the dns layer's outputs; or a problem. */
function portalName(ctx: LayerContext, domain: PortalDomain): { zone: string; name: string; layer: string; zoneIndex: number; delegated: string[] } | string {
  const layer = domain.dnsLayer ?? 'dns';
  const declaration = declaredLayer(ctx.org, ctx.account.name, layer, Dns);
  if (typeof declaration === 'string') return `account ${ctx.account.name} has no enabled dns layer "${layer}" holding a public zone`;
  const zones = declaration.config.publicZones ?? [];
  const zoneIndex = domain.zone === undefined ? 0 : zones.findIndex((z) => z.name === domain.zone);
  const zone = zones[zoneIndex];
  if (!zone) return `dns layer ${ctx.account.name}/${layer} has no public zone ${domain.zone ?? ''}`.trim();
  if (!/^(?!-)[a-z0-9-]{1,63}(?<!-)$/.test(domain.subdomain ?? '')) return `"${String(domain.subdomain)}" must be one lowercase DNS label, e.g. portal`;
  // Names of the sub-zones the zone delegates to workload accounts: a record there would never be answered.
  const delegated = (zone.delegations ?? []).flatMap((d) => {
    const sub = declaredLayer(ctx.org, d.account, d.layer ?? 'dns-zone', DnsZone);
    return typeof sub === 'string' ? [] : [DnsZone.facts(sub.config).zoneName];
  });
  return { zone: zone.name, name: `${domain.subdomain}.${zone.name}`, layer, zoneIndex, delegated };
}

function defaultWorkloadAccounts(ctx: LayerContext): string[] {
  return [...ctx.org.accounts.values()].filter((a) => a.layers.get(PLATFORM_ACCESS_LAYER)?.enabled).map((a) => a.name);
}

/**
 * Harmonix on AWS (Backstage) in the shared account: Backstage on the hardened Fargate cluster construct, an
 * Aurora PostgreSQL database from the shared aurora module, its ECR repository, one audit table per workload
 * account, and the platform and pipeline roles that the workload accounts' platform-access layers trust.
 */
export class DeveloperPlatform extends LayerStack {
  static readonly contract = developerPlatformContract;
  static readonly stateful = true;

  /** The portal name (simple alias to the ALB) and its certificate, when `domain` is configured. */
  static dnsClaims(config: DeveloperPlatformConfig, ctx: LayerContext): DnsClaims {
    const portal = config.domain ? portalName(ctx, config.domain) : undefined;
    if (!portal || typeof portal === 'string') return NO_DNS_CLAIMS;
    return {
      records: [{ zone: portal.zone, name: portal.name, type: 'A', routing: 'simple', target: 'alias to the portal ALB', field: 'domain.subdomain', endpoint: true }],
      certificates: [{ zone: portal.zone, name: portal.name, field: 'domain.subdomain' }],
    };
  }

  /** Backstage's execution role reads the secrets-layer secrets its config references. */
  static secretReaders(config: DeveloperPlatformConfig, ctx: LayerContext): SecretReader[] {
    const name = config.name ?? resourceName(ctx.org.project.name, ctx.account.name, 'idp');
    return Object.entries(config.backstage.secrets ?? {}).filter(([, v]) => isSecretRef(v)).map(([key, v]) => ({
      ref: v as SecretRef,
      principalArn: roleArn(ctx.account.id, executionRoleName(name, BACKSTAGE)),
      field: `backstage.secrets.${key}`,
    }));
  }

  static validate(config: DeveloperPlatformConfig, ctx: LayerContext): FieldProblem[] {
    const problems: FieldProblem[] = [];
    if ((config.domain === undefined) === (config.certificateArn === undefined)) {
      problems.push({ field: 'domain', message: 'give exactly one of domain (a DNS-validated certificate issued here) and certificateArn' });
    }
    if (config.certificateArn !== undefined) problems.push(...certificateProblems(config.certificateArn));
    if (config.domain) {
      const portal = portalName(ctx, config.domain);
      if (typeof portal === 'string') {
        problems.push({ field: 'domain', message: portal });
      } else {
        const under = portal.delegated.find((sub) => isInZone(portal.name, sub));
        if (under) problems.push({ field: 'domain.subdomain', message: `${portal.name} is in the sub-zone ${under}, delegated to a workload account` });
        problems.push(...dnsClaimProblems(ctx, DeveloperPlatform.dnsClaims(config, ctx)));
      }
    }
    const spec = backstageSpec(config.backstage, 'x');
    problems.push(...serviceSpecProblems({ ...spec, secrets: literalSecrets(spec.secrets) }, 'backstage'));
    for (const [key, value] of Object.entries(config.backstage.secrets ?? {})) {
      if (isSecretRef(value)) problems.push(...secretRefProblems(ctx, `backstage.secrets.${key}`, value));
    }
    const db = config.database ?? {};
    problems.push(...auroraPropProblems({ instanceCount: db.instanceCount, serverlessV2: db.serverlessV2, backupRetentionDays: db.backupRetentionDays })
      .map((p) => ({ field: `database.${p.field}`, message: p.message })));
    const accounts = config.workloadAccounts ?? defaultWorkloadAccounts(ctx);
    accounts.forEach((name, i) => {
      const account = ctx.org.accounts.get(name);
      if (!account) problems.push({ field: `workloadAccounts[${i}]`, message: `unknown account "${name}"` });
      else if (name === ctx.account.name) problems.push({ field: `workloadAccounts[${i}]`, message: 'the platform account itself is not a workload account' });
    });
    problems.push(...foundationProblems(config.foundation));
    const checks = new FieldProblems().nest('waf', wafConfigProblems(config.waf));
    // The cluster module's rules for the fields this config passes through, under the same names.
    for (const p of fargateClusterPropProblems({ name: config.name, ingressCidrs: config.ingressCidrs })) checks.add(p.field, p.message);
    return [...problems, ...checks.list];
  }

  constructor(scope: Construct, ctx: LayerContext, config: DeveloperPlatformConfig) {
    super(scope, ctx);
    const { account, region, org } = ctx;
    const name = config.name ?? this.resourceName('idp');
    const workloads = (config.workloadAccounts ?? defaultWorkloadAccounts(ctx)).map((n) => org.accounts.get(n)).filter((a) => a !== undefined);

    const source = config.foundation ?? (declaresLayer(ctx, securityContract) ? 'security-layer' : 'own');
    const foundation = source === 'security-layer'
      ? foundationFromSecurity(this.remote(securityContract))
      : new OwnFoundation(this, 'foundation', { name, accountId: account.id, region });
    const repository = new EcrRepository(this, 'backstage-repository', { name: `${org.project.name}/backstage`, kmsKeyArn: foundation.dataKeyArn, keepImages: 30 });
    const database = this.database(name, config.database ?? {}, foundation);
    const auditTables = workloads.map((w) => this.auditTable(name, w, foundation.dataKeyArn));

    // The portal's name and certificate: issued here in the dns layer's zone for `domain`, or an existing one from config.
    const portalDomain = config.domain ? portalName(ctx, config.domain) as Exclude<ReturnType<typeof portalName>, string> : undefined;
    const zoneId = portalDomain
      ? Fn.element(this.remote(dnsContract, { layer: portalDomain.layer }).get('public_zone_ids'), portalDomain.zoneIndex) as string
      : undefined;
    const certificateArn = portalDomain && zoneId
      ? new DnsValidatedCertificate(this, 'certificate', { domainNames: [portalDomain.name], zoneId }).arn
      : config.certificateArn!;
    const portal = this.portal(name, config, { certificateArn, portalName: portalDomain?.name, foundation, repository, database, auditTables });
    const [backstageService] = portal.services;
    // Backstage operates the workload accounts through their operations roles, records what it did in the audit
    // tables, and reads and writes data encrypted with the data key.
    const platformRole = backstageService.taskRole;
    grantAssume(platformRole, 'OperateWorkloadAccounts', workloads.map((w) => roleArn(w.id, operationsRoleName(org.project.name, w.name))));
    if (auditTables.length > 0) platformRole.addToPolicy(allow('WriteAudit', AUDIT_TABLE_ACTIONS, auditTables.map((t) => t.arn)));
    keyFromArn(foundation.dataKeyArn).grant(platformRole, 'UseDataKey', KEY_ENCRYPT_DECRYPT_ACTIONS);
    new VpcSecurityGroupIngressRule(this, 'database-from-backstage', {
      securityGroupId: database.securityGroupId,
      referencedSecurityGroupId: backstageService.securityGroup.id,
      ipProtocol: 'tcp',
      fromPort: database.port,
      toPort: database.port,
      description: 'Backstage tasks to PostgreSQL',
    });
    if (portalDomain && zoneId) {
      new Route53Record(this, 'portal-alias', {
        zoneId,
        name: portalDomain.name,
        type: 'A',
        alias: { name: portal.alb.dnsName, zoneId: portal.alb.zoneId, evaluateTargetHealth: false },
      });
    }

    // The platform pipelines (CodeBuild in this account) may only assume the provisioning roles of workload accounts.
    const pipelineRole = new ServiceRole(this, 'pipeline-role', {
      name: `${name}-pipeline`,
      service: 'codebuild.amazonaws.com',
      sourceAccount: account.id,
      policyName: 'assume-provisioning-roles',
      ids: { policy: 'pipeline-policy' },
    });
    grantAssume(pipelineRole, 'ProvisionWorkloadAccounts', workloads.map((w) => roleArn(w.id, provisioningRoleName(org.project.name, w.name))));

    this.publish(developerPlatformContract, {
      portal_url: portalDomain ? `https://${portalDomain.name}` : '',
      portal_dns_name: portal.alb.dnsName,
      portal_zone_id: portal.alb.zoneId,
      cluster_name: portal.cluster.name,
      repository_url: repository.url,
      database_endpoint: database.endpoint,
      database_secret_arn: database.masterUserSecretArn,
      audit_table_names: auditTables.map((t) => t.name),
      platform_role_arn: platformRole.arn,
      pipeline_role_arn: pipelineRole.arn,
    });
  }

  /** Backstage's Aurora PostgreSQL (Serverless v2) cluster, in the database subnets, keys from the foundation. */
  private database(name: string, db: PlatformDatabaseConfig, foundation: WorkloadFoundation): AuroraCluster {
    const network = this.remote(baseNetworkContract);
    return new AuroraCluster(this, 'database', {
      name: `${name}-backstage`,
      engine: 'aurora-postgresql',
      vpcId: network.get('vpc_id'),
      dbSubnetGroupName: network.get('database_subnet_group_name'),
      availabilityZones: this.ctx.azs,
      instanceCount: db.instanceCount ?? 2,
      serverlessV2: db.serverlessV2 ?? { minCapacity: 0.5, maxCapacity: 4 },
      kmsKeyArn: foundation.dataKeyArn,
      masterUserSecretKmsKeyArn: foundation.secretsKeyArn,
      databaseName: 'backstage',
      backupRetentionDays: db.backupRetentionDays ?? 14,
    });
  }

  /**
   * Backstage as the one service of a FargateCluster: its base URLs from the portal's name, its integration secrets
   * from the secrets layer (ARNs from its state, its key for the execution role), the database's endpoint and managed
   * master secret, and egress to the database port.
   */
  private portal(name: string, config: DeveloperPlatformConfig, parts: PortalParts): FargateCluster {
    const { account, region, org } = this.ctx;
    const { foundation, database } = parts;
    const network = this.remote(baseNetworkContract);
    const baseUrl: Record<string, string> = parts.portalName ? { APP_CONFIG_app_baseUrl: `https://${parts.portalName}`, APP_CONFIG_backend_baseUrl: `https://${parts.portalName}` } : {};
    const backstage = backstageSpec({ ...config.backstage, environment: { ...baseUrl, ...(config.backstage.environment ?? {}) } }, parts.repository.url);
    const secrets = resolveContainerSecrets(this.ctx, backstage.secrets, (contract, options) => this.remote(contract, options));
    return new FargateCluster(this, 'portal', {
      name,
      accessLogBucketName: this.globalName('s3-bucket', this.ctx.layer, 'alb-logs'),
      accountId: account.id,
      region,
      vpcId: network.get('vpc_id'),
      publicSubnetIds: network.get('public_subnet_ids'),
      privateSubnetIds: network.get('private_subnet_ids'),
      certificateArn: parts.certificateArn,
      logKmsKeyArn: foundation.logsKeyArn,
      logRetentionDays: 365,
      alarmTopicArn: foundation.alarmTopicArn,
      namespaceName: `${name}.${org.project.name}.internal`,
      webAclRules: webAclRules(name, config.waf),
      ingressCidrs: config.ingressCidrs,
      protect: true,
      services: [{
        ...backstage,
        imageRepositoryArn: parts.repository.arn,
        environment: {
          ...backstage.environment,
          POSTGRES_HOST: database.endpoint,
          POSTGRES_PORT: String(database.port),
          PGSSLMODE: 'require',
          AWS_REGION: region,
          PLATFORM_AUDIT_TABLES: parts.auditTables.map((t) => t.name).join(','),
        },
        secrets: {
          ...secrets.secrets,
          POSTGRES_USER: { secretArn: database.masterUserSecretArn, jsonKey: 'username' },
          POSTGRES_PASSWORD: { secretArn: database.masterUserSecretArn, jsonKey: 'password' },
        },
        secretsKmsKeyArns: [...new Set([foundation.secretsKeyArn, ...secrets.kmsKeyArns])],
        extraEgress: [{ port: database.port, cidr: network.get('vpc_cidr_block'), description: 'Backstage to its Aurora PostgreSQL database' }],
      }],
    });
  }

  /**
   * The audit table of one workload account: what the platform did there. Point-in-time recovery and deletion
   * protection, encrypted with the data key; not in an AWS Backup plan (as before the module: PITR keeps 35 days).
   * Named after the account, not its environment: two workload accounts of one environment each have their own table.
   */
  private auditTable(name: string, workload: ResolvedAccount, kmsKeyArn: string): DynamoTable {
    return new DynamoTable(this, `audit-${workload.name}`, {
      name: `${name}-audit-${workload.name}`,
      partitionKey: { name: 'id' },
      sortKey: { name: 'createdAt' },
      kmsKeyArn,
      backupPlan: false,
      tags: { WorkloadAccount: workload.name },
    });
  }
}

/** What the portal is built from. */
interface PortalParts {
  readonly certificateArn: string;
  /** The portal's DNS name, when `domain` is configured. */
  readonly portalName?: string;
  readonly foundation: WorkloadFoundation;
  readonly repository: EcrRepository;
  readonly database: AuroraCluster;
  readonly auditTables: readonly DynamoTable[];
}

/** Lets `role` assume the given roles (none: nothing granted, no policy). */
function grantAssume(role: Role, sid: string, roleArns: readonly string[]): void {
  if (roleArns.length > 0) role.addToPolicy(allow(sid, ROLE_ASSUME_ACTIONS, roleArns));
}

/** Service name of Backstage in the portal cluster (and so of its roles). */
const BACKSTAGE = 'backstage';

/** The literal (ARN) secrets of a map, without the secrets-layer references. */
function literalSecrets(secrets: Readonly<Record<string, string | SecretRef>>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).filter((e): e is [string, string] => !isSecretRef(e[1])));
}

/** The Backstage service spec with its defaults, from its ECR repository URL. */
function backstageSpec(config: BackstageConfig, repositoryUrl: string) {
  return {
    name: BACKSTAGE,
    image: `${repositoryUrl}:${config.imageTag}`,
    cpu: config.cpu ?? 1024,
    memory: config.memory ?? 2048,
    port: config.port ?? 7007,
    desiredCount: config.desiredCount ?? 2,
    minCount: config.minCount,
    maxCount: config.maxCount,
    healthCheckPath: config.healthCheckPath ?? '/healthcheck',
    environment: { NODE_ENV: 'production', ...(config.environment ?? {}) },
    secrets: { ...(config.secrets ?? {}) },
  };
}
