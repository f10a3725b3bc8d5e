import { EcrReplicationConfiguration } from '@cdktf/provider-aws/lib/ecr-replication-configuration';
import { EcrRepositoryCreationTemplate } from '@cdktf/provider-aws/lib/ecr-repository-creation-template';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { FieldProblems, knownAccount } from '../lib/validators';
import { ecrLifecyclePolicy, ecrPullStatement, EcrRepository, ecrRepositoryPropProblems, type EcrLifecycleProps } from '../modules/ecr-repository';
import { KmsKey } from '../modules/kms-key';
import { ECR_TEMPLATE_ACTIONS, KEY_GRANT_ACTIONS } from '../modules/perms';
import { allow, policyDocument } from '../modules/policy';
import { ServiceRole } from '../modules/role';

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

/** Environments of the organisation's own accounts, which run no workloads and so pull no images by default. */
const NON_WORKLOAD = new Set(['management', 'security', 'shared', 'network']);

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
    const problems = new FieldProblems();
    if (config.repositories.length === 0) problems.add('repositories', 'needs at least one repository');
    (config.pullAccounts ?? []).forEach((name, i) => problems.check(`pullAccounts[${i}]`, knownAccount(ctx.org, name)));
    config.repositories.forEach((repo, i) => {
      const field = `repositories[${i}]`;
      problems.nest(field, ecrRepositoryPropProblems(repo));
      if (config.repositories.slice(0, i).some((r) => r.name === repo.name)) problems.add(`${field}.name`, `"${repo.name}" is used twice`);
      (repo.pullAccounts ?? []).forEach((name, j) => problems.check(`${field}.pullAccounts[${j}]`, knownAccount(ctx.org, name)));
    });
    if (config.replicateToDr && !ctx.org.project.drRegion) problems.add('replicateToDr', 'the project has no drRegion');
    return problems.list;
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
    const pullers = config.pullAccounts ?? workloadAccounts(ctx);
    const repositories = config.repositories.map((repo) => new EcrRepository(this, `repo-${repo.name.replace(/\//g, '-')}`, {
      ...repo,
      kmsKeyArn: key.arn,
      pullAccountIds: pullAccountsOf(config, repo, ctx).map(idOf),
    }));

    const drRegion = ctx.org.project.drRegion;
    const replicate = (config.replicateToDr ?? drRegion !== undefined) && drRegion !== undefined && drRegion !== ctx.region;
    if (replicate) this.replicateTo(drRegion, config.repositories, [...new Set(pullers.map(idOf))]);

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

  /**
   * Replication of the repositories to `region`, where ECR creates the replicas from a creation template that gives them
   * the protections of the sources: immutable tags, a key of that region, the lifecycle and the pull policy. ECR creates
   * them with the template's role, which needs the ECR and KMS grant actions AWS documents for it.
   */
  private replicateTo(region: string, repositories: readonly ContainerRegistryRepository[], pullerIds: readonly string[]): void {
    const accountId = this.ctx.account.id;
    const provider = this.providerFor(region);
    const key = new KmsKey(this, 'dr-key', {
      provider,
      alias: this.resourceName('ecr', region),
      description: `Encrypts replicated container images of ${this.ctx.account.name} in ${region}`,
      accountId,
    });
    const role = new ServiceRole(this, 'replica-template-role', {
      name: this.resourceName('ecr-replica-template'),
      service: 'ecr.amazonaws.com',
      sourceAccount: accountId,
      policyName: 'encrypt-replicas',
      ids: { policy: 'replica-template-policy' },
    });
    role.addToPolicy(allow('CreateReplicaRepositories', ECR_TEMPLATE_ACTIONS, `arn:aws:ecr:${region}:${accountId}:repository/*`));
    key.grant(role, 'KmsGrantsForReplicas', KEY_GRANT_ACTIONS);
    new EcrRepositoryCreationTemplate(this, 'replica-template', {
      provider,
      prefix: 'ROOT',
      description: 'Repositories created by replication from the primary region',
      appliedFor: ['REPLICATION'],
      imageTagMutability: 'IMMUTABLE',
      encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: key.arn }],
      customRoleArn: role.arn,
      lifecyclePolicy: ecrLifecyclePolicy(),
      ...(pullerIds.length > 0 ? { repositoryPolicy: policyDocument([ecrPullStatement(pullerIds)]) } : {}),
    });
    new EcrReplicationConfiguration(this, 'replication', {
      replicationConfiguration: {
        rule: [{
          destination: [{ region, registryId: accountId }],
          repositoryFilter: repositories.map((r) => ({ filter: r.name, filterType: 'PREFIX_MATCH' })),
        }],
      },
    });
  }
}
