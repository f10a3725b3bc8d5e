/**
 * Container images of the organisation's registry (the container-registry layer), named in a consumer's config by
 * repository and tag instead of a pasted `<account>.dkr.ecr.<region>.amazonaws.com/...` URI:
 *
 *   image: fromRegistry('acme/api', '1.4.2')
 *
 * The consumer reads the registry's URL through typed remote state, so the layer graph runs the registry first and
 * no account id or region is typed; validation checks, before anything is built, that the registry declares the
 * repository and lets the consumer's account pull it (what ECR would otherwise refuse only when a task starts).
 */
import type { LayerDeclaration } from '../lib/config';
import { declaredLayer } from '../lib/layer-presence';
import type { RemoteReader } from '../lib/layer-ref';
import type { FieldProblem } from '../lib/layer-stack';
import type { LayerContext, ResolvedAccount } from '../lib/model';
import { FieldProblems, knownAccount } from '../lib/validators';
import { ContainerRegistry, containerRegistryContract, pullAccountsOf, type ContainerRegistryConfig } from './container-registry';

/** An image of a repository of the organisation's container-registry layer. */
export interface RegistryImage {
  /** Repository name as declared in the registry layer, e.g. `acme/api`. */
  readonly registryRepository: string;
  /** Image tag (the registry's tags are immutable: bump it to deploy). */
  readonly tag: string;
  /** Account of the registry layer. @default the one account declaring an enabled `layer` of that kind */
  readonly account?: string;
  /** Name of the registry layer in that account. @default 'container-registry' */
  readonly layer?: string;
}

/** `fromRegistry('acme/api', '1.4.2')`: an image of the organisation's registry, read from its layer's outputs. */
export function fromRegistry(repository: string, tag: string, options: { readonly account?: string; readonly layer?: string } = {}): RegistryImage {
  return { registryRepository: repository, tag, ...options };
}

export function isRegistryImage(value: unknown): value is RegistryImage {
  return typeof value === 'object' && value !== null && typeof (value as RegistryImage).registryRepository === 'string';
}

/** Docker tag grammar (ECR: at most 128 characters). */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

interface RegistryLayer {
  readonly account: ResolvedAccount;
  readonly layer: string;
  readonly region: string;
  readonly config: ContainerRegistryConfig;
}

/** The registry layer an image names, or why there is none. */
function registryOf(ctx: LayerContext, image: RegistryImage): RegistryLayer | string {
  const layer = image.layer ?? containerRegistryContract.name;
  const declares = (account: ResolvedAccount): LayerDeclaration<ContainerRegistryConfig> | undefined => {
    const declaration = declaredLayer(ctx.org, account.name, layer, ContainerRegistry);
    return typeof declaration === 'string' ? undefined : declaration;
  };
  let account: ResolvedAccount;
  if (image.account !== undefined) {
    const unknown = knownAccount(ctx.org, image.account);
    if (unknown) return unknown;
    account = ctx.org.accounts.get(image.account)!;
    if (!declares(account)) return `account ${image.account} has no enabled container-registry layer "${layer}"`;
  } else {
    const candidates = [...ctx.org.accounts.values()].filter((a) => declares(a) !== undefined);
    if (candidates.length !== 1) {
      return candidates.length === 0
        ? `no account declares an enabled container-registry layer "${layer}"`
        : `several accounts declare a container-registry layer "${layer}" (${candidates.map((a) => a.name).join(', ')}): name one with fromRegistry(..., { account })`;
    }
    account = candidates[0];
  }
  const declaration = declares(account)!;
  return { account, layer, region: declaration.region ?? account.region, config: declaration.config };
}

/** Problems of an image at `field`: the registry layer, the repository, the consumer's pull right and the tag. */
export function registryImageProblems(ctx: LayerContext, field: string, image: RegistryImage): FieldProblem[] {
  const problems = new FieldProblems();
  if (!TAG.test(image.tag)) problems.add(field, `tag "${image.tag}" is not an image tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  const registry = registryOf(ctx, image);
  if (typeof registry === 'string') return problems.add(field, registry).list;
  const where = `${registry.account.name}/${registry.layer}`;
  const repository = registry.config.repositories.find((r) => r.name === image.registryRepository);
  if (!repository) {
    const declared = registry.config.repositories.map((r) => r.name).join(', ') || 'none';
    return problems.add(field, `container registry ${where} declares no repository "${image.registryRepository}" (declared: ${declared})`).list;
  }
  if (registry.account.name !== ctx.account.name) {
    const pullers = pullAccountsOf(registry.config, repository, { ...ctx, account: registry.account, layer: registry.layer, region: registry.region });
    if (!pullers.includes(ctx.account.name)) {
      problems.add(field, `repository ${image.registryRepository} of ${where} does not let account ${ctx.account.name} pull (pull accounts: ${pullers.join(', ') || 'none'}); add it to the repository's pullAccounts`);
    }
  }
  return problems.list;
}

/** The image URI and its repository ARN, read through a typed remote-state read of the registry layer. */
export function resolveRegistryImage(ctx: LayerContext, image: RegistryImage, read: RemoteReader): { image: string; repositoryArn: string } {
  const registry = registryOf(ctx, image);
  if (typeof registry === 'string') throw new Error(registry); // validate() reports it first
  const outputs = read(containerRegistryContract, { account: registry.account.name, layer: registry.layer });
  const registryUrl = outputs.get('registry_url') as string;
  const registryId = outputs.get('registry_id') as string;
  return {
    image: `${registryUrl}/${image.registryRepository}:${image.tag}`,
    repositoryArn: `arn:aws:ecr:${registry.region}:${registryId}:repository/${image.registryRepository}`,
  };
}
