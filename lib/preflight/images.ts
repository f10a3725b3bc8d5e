/**
 * Container images of the organisation's ECR repositories, read from task definitions and Lambda functions. An image
 * is rarely a literal URI: `fromRegistry(...)` (layers/registry-images.ts) writes
 * `${data.terraform_remote_state.<registry>.outputs.registry_url}/<repo>:<tag>`, and a layer using its own repository
 * writes `${aws_ecr_repository.x.repository_url}:<tag>`. Each token is followed to what produces it (the registry
 * layer's output, the repository resource), so the rules can check the repository that will really be pulled.
 */
import type { ResourceView } from '../policy/model';
import { literalString, parseRemoteRef, valuesAt, type Located, type OrgModel, type StackModel } from './model';

export interface ContainerImage {
  /** The image as written in the synthesized JSON. */
  readonly written: string;
  /** The image with every followed token replaced by its value, e.g. `333333333333.dkr.ecr.us-east-1.amazonaws.com/acme/api:1.4.2`. */
  readonly uri: string;
  /** Registry account, region and repository name, when the image is an ECR image whose registry is known. */
  readonly accountId?: string;
  readonly region?: string;
  readonly repository?: string;
  /** The layer the registry URL was read from (a remote-state read of it, so it runs first), when the image reads one. */
  readonly source?: StackModel;
  /** The repository resource the image names: in `source` when there is one, else found by account, region and name. */
  readonly repo?: Located;
}

const TOKEN = /\$\{[^}]*\}/g;
const ECR_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)/;

/** The image strings of a resource: `container_definitions[].image` (JSON text) or a Lambda `image_uri`. */
function writtenImages(resource: ResourceView): string[] {
  if (resource.type === 'aws_lambda_function') return valuesAt(resource.config, 'image_uri').filter((v): v is string => typeof v === 'string');
  const text = resource.config.container_definitions;
  if (typeof text !== 'string') return [];
  try {
    const defs = JSON.parse(text) as { image?: unknown }[];
    return Array.isArray(defs) ? defs.map((d) => d.image).filter((i): i is string => typeof i === 'string') : [];
  } catch {
    return [];
  }
}

function repositoryIn(stack: StackModel, name: string, region: string): Located | undefined {
  const resource = stack.view.ofType('aws_ecr_repository').find((r) => r.config.name === name && stack.regionOf(r) === region);
  return resource ? { stack, resource } : undefined;
}

/** Follows the tokens of one image to the registry layer and repository. */
export function followImage(org: OrgModel, stack: StackModel, written: string): ContainerImage {
  let source: StackModel | undefined;
  let repoResource: Located | undefined;
  const uri = written.replace(TOKEN, (token) => {
    const remote = parseRemoteRef(token);
    const producer = remote ? stack.remoteReads.get(remote.name)?.producer : undefined;
    const resolved = org.resolve(stack, token);
    if (resolved.kind === 'literal') {
      source = source ?? producer;
      return resolved.value;
    }
    if (resolved.kind === 'resource' && resolved.resource.type === 'aws_ecr_repository' && resolved.attribute === 'repository_url') {
      // `<account>.dkr.ecr.<region>.amazonaws.com/<name>` of the repository resource, wherever it is.
      const name = literalString(resolved.resource.config.name);
      if (!name) return token;
      source = source ?? producer;
      repoResource = { stack: resolved.stack, resource: resolved.resource };
      return `${resolved.stack.account.id}.dkr.ecr.${resolved.stack.regionOf(resolved.resource)}.amazonaws.com/${name}`;
    }
    return token;
  });
  const m = ECR_URI.exec(uri);
  if (!m || uri.includes('${')) return { written, uri, source };
  const [, accountId, region, repository] = m;
  // Read from a registry layer: the repository must be that layer's. A literal URI: any layer of the registry account.
  const repo = repoResource ?? (source
    ? repositoryIn(source, repository, region)
    : org.resources('aws_ecr_repository').find((r) => r.stack.account.id === accountId && r.resource.config.name === repository &&
      r.stack.regionOf(r.resource) === region));
  return { written, uri, accountId, region, repository, source, repo };
}

/** Every container image of the organisation's task definitions and image-based Lambda functions, followed. */
export function containerImages(org: OrgModel): { stack: StackModel; resource: ResourceView; image: ContainerImage }[] {
  return org.resources('aws_ecs_task_definition', 'aws_lambda_function').flatMap(({ stack, resource }) =>
    writtenImages(resource).map((written) => ({ stack, resource, image: followImage(org, stack, written) })));
}
