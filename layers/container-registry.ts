import { EcrReplicationConfiguration } from '@cdktf/provider-aws/lib/ecr-replication-configuration';
import { EcrRepositoryCreationTemplate } from '@cdktf/provider-aws/lib/ecr-repository-creation-template';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { ecrLifecyclePolicy, ecrPullStatement, EcrRepository, type EcrLifecycleProps } from '../modules/ecr-repository';
import { KmsKey } from '../modules/kms-key';
import { policyDocument, serviceTrustPolicy } from '../modules/policy';

export interface ContainerRegistryRepository extends EcrLifecycleProps {
  /** Repository name, e.g. `acme/api` (lowercase, `/` separates namespaces). */
  readonly name: string;
  /** Account names allowed to pull. @default the registry's pullAccounts */
  readonly pullAccounts?: readonly string[];
}

export interface ContainerRegistryConfig {
  readonly repositories: readonly ContainerRegistryRepository[];
  /**
   * Accounts (by name) allowed to pull from every repository.
   * @default every workload account: each account except this one whose environment is not management, security,
   *   shared or network
   */
  readonly pullAccounts?: readonly string[];
  /** Replicate every repository to the project's DR region (encrypted there with a key of that region). @default true when the project has a drRegion */
  readonly replicateToDr?: boolean;
}

export const containerRegistryContract = defineContract('container-registry', {
  registry_id: { description: 'Registry (account) id', mock: '111111111111' },
  registry_url: { description: 'Registry host for docker login and image URIs', mock: '111111111111.dkr.ecr.us-east-1.amazonaws.com' },
  repository_names: { description: 'Repository names, in config order', mock: ['acme/api'] },
  repository_urls: { description: 'Repository URLs, in config order', mock: ['111111111111.dkr.ecr.us-east-1.amazonaws.com/acme/api'] },
  repository_arns: { description: 'Repository ARNs, in config order', mock: ['arn:aws:ecr:us-east-1:111111111111:repository/acme/api'] },
  kms_key_arn: { description: 'KMS key encrypting the images', mock: 'arn:aws:kms:us-east-1:111111111111:key/mock' },
  replica_region: { description: 'Region images are replicated to ("" when none)', mock: 'us-west-2' },
});

const NON_WORKLOAD = new Set(['management', 'security', 'shared', 'network']);
const REPO_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/** Default pull accounts: the organisation's workload accounts. */
function workloadAccounts(ctx: LayerContext): string[] {
  return [...ctx.org.accounts.values()].filter((a) => a.name !== ctx.account.name && !NON_WORKLOAD.has(a.environment)).map((a) => a.name);
}

/** Accounts (by name) the registry layer at `ctx` lets pull `repository`; consumers check their images against it. */
export function pullAccountsOf(config: ContainerRegistryConfig, repository: ContainerRegistryRepository, ctx: LayerContext): readonly string[] {
  return repository.pullAccounts ?? config.pullAccounts ?? workloadAccounts(ctx);
}

/**
 * Leverage container-registry (shared account): private ECR repositories with immutable tags, scan on push, KMS,
 * lifecycle policies, pulls allowed only from the organisation's workload accounts, optional DR replication.
 */
export class ContainerRegistry extends LayerStack {
  static readonly contract = containerRegistryContract;
  static readonly stateful = true;

  static validate(config: ContainerRegistryConfig, ctx: LayerContext): FieldProblem[] {
    const problems: FieldProblem[] = [];
    if (config.repositories.length === 0) problems.push({ field: 'repositories', message: 'needs at least one repository' });
    const names = new Set<string>();
    const checkAccounts = (field: string, accounts: readonly string[]) => accounts.forEach((name, i) => {
      if (!ctx.org.accounts.has(name)) problems.push({ field: `${field}[${i}]`, message: `unknown account "${name}" (known: ${[...ctx.org.accounts.keys()].join(', ')})` });
    });
    checkAccounts('pullAccounts', config.pullAccounts ?? []);
    config.repositories.forEach((repo, i) => {
      const field = `repositories[${i}]`;
      if (!REPO_NAME.test(repo.name) || repo.name.length > 256) problems.push({ field: `${field}.name`, message: `"${repo.name}" is not a valid ECR repository name` });
      if (names.has(repo.name)) problems.push({ field: `${field}.name`, message: `"${repo.name}" is used twice` });
      names.add(repo.name);
      checkAccounts(`${field}.pullAccounts`, repo.pullAccounts ?? []);
      if (repo.keepImages !== undefined && repo.keepImages < 1) problems.push({ field: `${field}.keepImages`, message: 'must keep at least one image' });
    });
    if (config.replicateToDr && !ctx.org.project.drRegion) problems.push({ field: 'replicateToDr', message: 'the project has no drRegion' });
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: ContainerRegistryConfig) {
    super(scope, ctx);
    const accountId = ctx.account.id;
    const idOf = (name: string) => ctx.org.accounts.get(name)?.id ?? name;
    const key = new KmsKey(this, 'key', {
      alias: this.resourceName('ecr'),
      description: `Encrypts container images of ${ctx.account.name}`,
      accountId,
    });
    const defaultPullers = config.pullAccounts ?? workloadAccounts(ctx);
    const repositories = config.repositories.map((repo) => new EcrRepository(this, `repo-${repo.name.replace(/\//g, '-')}`, {
      ...repo,
      kmsKeyArn: key.arn,
      pullAccountIds: pullAccountsOf(config, repo, ctx).map(idOf),
    }));

    const drRegion = ctx.org.project.drRegion;
    const replicate = (config.replicateToDr ?? drRegion !== undefined) && drRegion !== undefined && drRegion !== ctx.region;
    if (replicate) {
      const drProvider = this.providerFor(drRegion);
      const drKey = new KmsKey(this, 'dr-key', {
        provider: drProvider,
        alias: this.resourceName('ecr', drRegion),
        description: `Encrypts replicated container images of ${ctx.account.name} in ${drRegion}`,
        accountId,
      });
      // Replicas are created by ECR; the template gives them the same protections as the source repositories.
      const templateRole = new IamRole(this, 'replica-template-role', {
        name: this.resourceName('ecr-replica-template'),
        assumeRolePolicy: serviceTrustPolicy('ecr.amazonaws.com', accountId),
      });
      new IamRolePolicy(this, 'replica-template-policy', {
        role: templateRole.name,
        name: 'encrypt-replicas',
        policy: policyDocument([{
          Effect: 'Allow',
          Action: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          Resource: drKey.arn,
        }]),
      });
      const pullers = [...new Set(defaultPullers.map(idOf))];
      new EcrRepositoryCreationTemplate(this, 'replica-template', {
        provider: drProvider,
        prefix: 'ROOT',
        description: 'Repositories created by replication from the primary region',
        appliedFor: ['REPLICATION'],
        imageTagMutability: 'IMMUTABLE',
        encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: drKey.arn }],
        customRoleArn: templateRole.arn,
        lifecyclePolicy: ecrLifecyclePolicy(),
        ...(pullers.length > 0 ? { repositoryPolicy: policyDocument([ecrPullStatement(pullers)]) } : {}),
      });
      new EcrReplicationConfiguration(this, 'replication', {
        replicationConfiguration: {
          rule: [{
            destination: [{ region: drRegion, registryId: accountId }],
            repositoryFilter: config.repositories.map((r) => ({ filter: r.name, filterType: 'PREFIX_MATCH' })),
          }],
        },
      });
    }

    this.publish(containerRegistryContract, {
      registry_id: accountId,
      registry_url: `${accountId}.dkr.ecr.${ctx.region}.amazonaws.com`,
      repository_names: repositories.map((r) => r.name),
      repository_urls: repositories.map((r) => r.url),
      repository_arns: repositories.map((r) => r.arn),
      kms_key_arn: key.arn,
      replica_region: replicate ? drRegion : '',
    });
  }
}
