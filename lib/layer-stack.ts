/**
 * The base of every layer: one Terraform state per layer in its account's S3 bucket with a DynamoDB lock,
 * an AWS provider that can only touch that account, default tags, typed outputs and typed remote-state reads.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  DataTerraformRemoteStateS3,
  LocalBackend,
  S3Backend,
  TerraformOutput,
  TerraformStack,
  type S3BackendConfig,
} from 'cdktf';
import type { Construct } from 'constructs';
import { RemoteOutputs, type AnyContract, type Contract, type OutputSpec, type OutputValue } from './contract';
import { layerIdentity, remoteStateIdentity, type Identity } from './identity';
import type { LayerContext, LayerRef, Organisation, ResolvedAccount } from './model';
import { backendBucketName, globalNameProblem, globalResourceName, lockTableName, MANAGED_BY, resourceName, stackId, stateKey, type GlobalNamespace } from './naming';
import { SANDBOX_CREDENTIALS } from './mode';
import { requireTerraformVersion } from './terraform-version';

/** A problem a layer kind finds in its own config; the loader adds project, account and layer. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** An IPv4 range a layer claims; overlapping claims across the organisation are refused. */
export interface NetworkClaim {
  readonly field: string;
  readonly cidr: string;
}

/** The static side of a layer class: what the loader needs before constructing it. */
export interface LayerKind<C> {
  new (scope: Construct, ctx: LayerContext, config: C): LayerStack;
  /** The outputs this kind publishes. @default - publishes nothing */
  readonly contract?: AnyContract;
  /** Holds data that a destroy would lose (backend, databases, logs, keys): the runner refuses to destroy it unless forced. */
  readonly stateful?: boolean;
  /** This kind creates the state backend itself and so is applied with local state first. */
  readonly bootstrapsBackend?: boolean;
  /**
   * Set on kinds that must run before their account's deploy role exists (they create it, the accounts, or what its
   * trust names): the day-zero sequence applies them with the bootstrap identity (lib/identity.ts), after the
   * backend, lowest first. @default - a steady-state layer, applied through the deploy role
   */
  readonly bootstrapOrder?: number;
  /**
   * This kind creates the project's member accounts (AWS Organizations). In a real synth it alone sees the accounts
   * whose id is still `'pending'`, so that it can create them; every other layer sees only accounts with an id.
   */
  readonly createsAccounts?: boolean;
  /** Checks of this kind's config that need no AWS. */
  validate?(config: C, ctx: LayerContext): FieldProblem[];
  /** CIDR ranges this layer allocates, checked for overlaps across every account and region. */
  networks?(config: C, ctx: LayerContext): NetworkClaim[];
}

export interface RemoteReadOptions {
  /** Account that owns the producer layer. @default this layer's account */
  readonly account?: string;
  /** Name of the producer layer in that account. @default the contract's name */
  readonly layer?: string;
}

/** A remote-state read recorded for the dependency graph and for validation. */
export interface RemoteRead extends LayerRef {
  readonly outputs: Set<string>;
}

export abstract class LayerStack extends TerraformStack {
  readonly ctx: LayerContext;
  /** The default AWS provider: this layer's account and region. */
  readonly provider: AwsProvider;
  /** Every remote-state read, keyed `account/layer`: the edges of the layer graph. */
  readonly reads = new Map<string, RemoteRead>();
  /** Output names this stack published. */
  readonly published = new Set<string>();
  private readonly regionalProviders = new Map<string, AwsProvider>();
  private readonly remoteStates = new Map<string, DataTerraformRemoteStateS3>();

  constructor(scope: Construct, ctx: LayerContext) {
    super(scope, stackId(ctx.org.project.name, ctx.account.name, ctx.layer));
    this.ctx = ctx;
    requireTerraformVersion(this);
    if (ctx.localState) {
      new LocalBackend(this, { path: `${ctx.org.mode.bootstrapStateDir}/${this.node.id}.tfstate` });
    } else {
      new S3Backend(this, backendConfig(ctx.org, ctx.account, ctx.layer, layerIdentity(ctx.org, ctx.account, ctx.step)));
    }
    this.provider = this.createProvider(ctx.region);
  }

  /** Tags every resource gets through the provider's default_tags. */
  get tags(): Record<string, string> {
    const { org, account, layer } = this.ctx;
    return {
      ...org.project.tags,
      ...account.tags,
      Project: org.project.name,
      Account: account.name,
      Environment: account.environment,
      Layer: layer,
      ManagedBy: MANAGED_BY,
    };
  }

  /** `<project>-<account>-<parts...>`, the prefix of every resource name. */
  resourceName(...parts: string[]): string {
    return resourceName(this.ctx.org.project.name, this.ctx.account.name, ...parts);
  }

  /**
   * `<project>-<account>-<parts...>-<accountId>`, a name in a namespace shared with every AWS customer (S3 buckets,
   * Cognito domain prefixes): the account id makes it the organisation's own. A name the namespace refuses (too long,
   * reserved) is reported as a problem of this layer, and the synth stops before anything is written.
   */
  globalName(namespace: GlobalNamespace, ...parts: string[]): string {
    const { org, account } = this.ctx;
    const name = globalResourceName(org.project.name, account.name, account.id, ...parts);
    const problem = globalNameProblem(namespace, name);
    if (problem) this.report(`name (${parts.join('-')})`, problem);
    return name;
  }

  /** A provider for another region of the same account (us-east-1 for CloudFront certificates and WAF, the DR region). */
  providerFor(region: string): AwsProvider {
    if (region === this.ctx.region) return this.provider;
    let provider = this.regionalProviders.get(region);
    if (!provider) {
      provider = this.createProvider(region, region.replace(/-/g, '_'));
      this.regionalProviders.set(region, provider);
    }
    return provider;
  }

  /** Publishes every output of the contract as a plain Terraform output with a readable name. */
  protected publish<O>(contract: Contract<O>, values: { readonly [K in keyof O]: O[K] }): void {
    const specs = contract.outputs as Record<string, OutputSpec<OutputValue>>;
    for (const [name, spec] of Object.entries(specs)) {
      const output = new TerraformOutput(this, name, {
        value: (values as Record<string, unknown>)[name],
        description: spec.description,
      });
      output.overrideLogicalId(name);
      this.published.add(name);
    }
  }

  /** Reads another layer's published outputs through `terraform_remote_state` in its account's bucket. */
  protected remote<O>(contract: Contract<O>, options: RemoteReadOptions = {}): RemoteOutputs<O> {
    const accountName = options.account ?? this.ctx.account.name;
    const layerName = options.layer ?? contract.name;
    const key = `${accountName}/${layerName}`;
    const read = this.reads.get(key) ?? { account: accountName, layer: layerName, outputs: new Set<string>() };
    this.reads.set(key, read);
    this.checkProducer(contract as unknown as AnyContract, accountName, layerName);

    let state = this.remoteStates.get(key);
    if (!state) {
      const producerAccount = this.ctx.org.accounts.get(accountName) ?? this.ctx.account;
      const reader = remoteStateIdentity(this.ctx.org, producerAccount, this.ctx.step);
      const { dynamodbTable: _lock, ...config } = backendConfig(this.ctx.org, producerAccount, layerName, reader);
      state = new DataTerraformRemoteStateS3(this, `remote-${accountName}-${layerName}`, config);
      this.remoteStates.set(key, state);
    }
    return new RemoteOutputs(state, contract, (output) => {
      read.outputs.add(output);
      if (!(output in contract.outputs)) {
        this.report(`remote(${key}).${output}`, `reads output "${output}" that layer kind ${contract.name} does not publish`);
      }
    });
  }

  /** Records a problem with this layer; the whole synth is refused before anything is written. */
  protected report(field: string, message: string): void {
    this.ctx.org.problems.report(
      { project: this.ctx.org.project.name, account: this.ctx.account.name, layer: this.ctx.layer },
      field,
      message,
    );
  }

  private checkProducer(contract: AnyContract, accountName: string, layerName: string): void {
    const field = `remote(${accountName}/${layerName})`;
    const account = this.ctx.org.accounts.get(accountName);
    if (!account) {
      this.report(field, `reads from unknown account "${accountName}" (known: ${[...this.ctx.org.accounts.keys()].join(', ')})`);
      return;
    }
    const declaration = account.layers.get(layerName);
    if (!declaration) {
      this.report(field, `reads layer "${layerName}" which account ${accountName} does not declare`);
    } else if (!declaration.enabled) {
      this.report(field, `depends on layer "${layerName}" of account ${accountName}, which is disabled`);
    } else if (declaration.kind.contract !== contract) {
      this.report(field, `layer "${layerName}" of account ${accountName} does not publish the ${contract.name} outputs`);
    }
  }

  private createProvider(region: string, alias?: string): AwsProvider {
    const { org, account } = this.ctx;
    const sandbox = org.mode.sandbox;
    const identity = layerIdentity(org, account, this.ctx.step);
    return new AwsProvider(this, alias ? `aws_${alias}` : 'aws', {
      region,
      alias,
      defaultTags: [{ tags: this.tags }],
      ...(sandbox
        ? {
            // Offline: dummy keys and no STS. assume_role and allowed_account_ids both call STS.
            accessKey: 'sandbox',
            secretKey: 'sandbox',
            skipCredentialsValidation: true,
            skipRequestingAccountId: true,
            skipMetadataApiCheck: 'true',
            skipRegionValidation: true,
          }
        : {
            allowedAccountIds: [account.id],
            // No assume_role for the caller's own session (the management account's day-zero layers).
            ...(identity.kind === 'role'
              ? { assumeRole: [{ roleArn: identity.arn, sessionName: `${org.project.name}-${this.ctx.layer}` }] }
              : {}),
          }),
    });
  }
}

/**
 * Backend settings of a layer's state, acting as `identity` (lib/identity.ts): the layer's own identity for its
 * backend, the producer's state reader for a remote-state read.
 */
export function backendConfig(org: Organisation, account: ResolvedAccount, layer: string, identity: Identity): S3BackendConfig {
  const base = {
    bucket: backendBucketName(org.project.name, account.name, account.id),
    key: stateKey(account.name, layer),
    region: account.region,
    encrypt: true,
    dynamodbTable: lockTableName(org.project.name, account.name),
  };
  const sandbox = org.mode.sandbox;
  if (!sandbox) return identity.kind === 'role' ? { ...base, assumeRole: { roleArn: identity.arn } } : base;
  return {
    ...base,
    endpoints: { s3: sandbox.s3, dynamodb: sandbox.dynamodb },
    usePathStyle: true,
    accessKey: SANDBOX_CREDENTIALS.accessKey,
    secretKey: SANDBOX_CREDENTIALS.secretKey,
    skipCredentialsValidation: true,
    skipRequestingAccountId: true,
    skipMetadataApiCheck: true,
    skipRegionValidation: true,
  };
}
