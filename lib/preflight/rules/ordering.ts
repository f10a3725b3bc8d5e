/**
 * Ordering: nothing a layer needs at apply time is made only by a later layer, or by nobody. A literal ARN or name of
 * another layer's resource carries no graph edge, and a literal ARN of a resource no layer makes is a pasted
 * placeholder that fails on apply.
 */
import { isObject, refersTo, type JsonObject, type ResourceView } from '../../policy/model';
import type { Hit, PreflightRule } from '../engine';
import { containerImages } from '../images';
import { depends, literalString, type Located, type OrgModel } from '../model';
import { bucketOf } from './cross-account';
import { target } from './service-grants';

/** Attributes that are documents (policies, definitions): names inside them are data, not apply-time dependencies. */
const DOCUMENT_KEYS = new Set(['policy', 'assume_role_policy', 'inline_policy', 'repository_policy', 'description', 'comment', 'definition', 'dashboard_body', 'event_pattern']);
/** Terraform meta-arguments and tags: never a use of another resource. */
const ALWAYS_SKIPPED = new Set(['lifecycle', 'depends_on', 'provider', 'tags', 'tags_all']);

/** Every literal string of a resource's configuration with its attribute path (JSON documents included when asked). */
function strings(config: JsonObject, withDocuments: boolean): { path: string; value: string }[] {
  const found: { path: string; value: string }[] = [];
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      const text = value.trim();
      if (withDocuments && (text.startsWith('[') || text.startsWith('{'))) {
        try {
          visit(JSON.parse(text), path);
          return;
        } catch {
          // not JSON: a plain string
        }
      }
      if (!value.includes('${')) found.push({ path, value });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}[${i}]`));
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (path === '' && (ALWAYS_SKIPPED.has(k) || (!withDocuments && DOCUMENT_KEYS.has(k)))) continue;
        visit(v, path === '' ? k : `${path}.${k}`);
      }
    }
  };
  visit(config, '');
  return found;
}

const PLACEHOLDER = /arn:aws[a-z-]*:(acm|secretsmanager|kms|ssm|sns|sqs):([a-z0-9-]+):(\d{12}):([^\s"',]+)/g;

interface Placeholder {
  readonly arn: string;
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  readonly resource: string;
}

function placeholders(text: string): Placeholder[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({ arn: m[0].replace(/:+(username|password)?:*$/, ''), service: m[1], region: m[2], accountId: m[3], resource: m[4] }));
}

/** Whether some stack of the organisation creates the resource a literal ARN names (only where its ARN is predictable). */
function createdBy(org: OrgModel, p: Placeholder): Located | undefined {
  const inAccount = (types: string[], name: string | undefined, attribute: string) => org.resources(...types).find((r) =>
    r.stack.account.id === p.accountId && r.stack.regionOf(r.resource) === p.region && literalString(r.resource.config[attribute]) === name);
  if (p.service === 'sns') return inAccount(['aws_sns_topic'], p.resource, 'name');
  if (p.service === 'sqs') return inAccount(['aws_sqs_queue'], p.resource, 'name');
  if (p.service === 'ssm' && p.resource.startsWith('parameter')) return inAccount(['aws_ssm_parameter'], p.resource.slice('parameter'.length), 'name');
  // ACM certificate ids, KMS key ids and the random suffix of secret ARNs are chosen by AWS at creation: a literal
  // ARN can never be one a layer creates.
  return undefined;
}

function problemWith(p: Placeholder): string | undefined {
  if (p.service === 'acm') {
    const id = /^certificate\/(.+)$/.exec(p.resource)?.[1];
    if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return `"${id ?? p.resource}" is not even a certificate id (lowercase hex UUID)`;
  }
  if (p.service === 'kms' && p.resource.startsWith('key/') && !/^key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/.test(p.resource)) {
    return `"${p.resource}" is not a key id`;
  }
  return undefined;
}

const KIND: Readonly<Record<string, string>> = {
  acm: 'certificate', secretsmanager: 'secret', kms: 'KMS key', ssm: 'parameter', sns: 'topic', sqs: 'queue',
};

/** Resources whose use of a bucket happens at apply time and that AWS checks against the bucket policy then. */
const DELIVERIES: readonly { type: string; path: string }[] = [
  { type: 'aws_config_delivery_channel', path: 's3_bucket_name' },
  { type: 'aws_cloudtrail', path: 's3_bucket_name' },
  { type: 'aws_lb', path: 'access_logs.bucket' },
  { type: 'aws_alb', path: 'access_logs.bucket' },
];

function valueAt(config: JsonObject, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => {
    const o = Array.isArray(v) ? v[0] : v;
    return isObject(o) ? o[k] : undefined;
  }, config);
}

export const orderingRules: PreflightRule[] = [
  {
    id: 'PF-ORD-001',
    family: 'ordering',
    title: 'No literal ARN of a certificate, secret, key, parameter, topic or queue in an organisation account that no layer creates (pasted placeholders)',
    docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const stack of org.stacks) {
        for (const resource of stack.view.resources) {
          if (resource.type.startsWith('provider.') || resource.type.startsWith('terraform.')) continue;
          const seen = new Set<string>();
          for (const { path, value } of strings(resource.config, true)) {
            for (const p of placeholders(value)) {
              if (p.arn.includes('*') || seen.has(p.arn) || !org.accountById(p.accountId)) continue;
              seen.add(p.arn);
              if (createdBy(org, p)) continue;
              const bad = problemWith(p);
              hits.push({
                stack: stack.id,
                address: resource.address,
                message: `${path} names ${KIND[p.service]} ${p.arn} in account ${org.accountById(p.accountId)!.name}, which no layer creates${bad ? `, and ${bad}` : ''}: a pasted placeholder fails on apply`,
                fix: p.service === 'acm'
                  ? 'issue a DNS-validated certificate in the layer (as serverless and dr do) or read its ARN from the layer that issues it'
                  : `read the ${KIND[p.service]} ARN from the outputs of the layer that creates it`,
              });
            }
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-ORD-002',
    family: 'ordering',
    title: 'A bucket another layer creates is named by reference (remote state), so that layer runs first',
    docs: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/create-bucket-overview.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      const buckets = new Map<string, Located>();
      for (const b of org.resources('aws_s3_bucket')) {
        const name = literalString(b.resource.config.bucket);
        if (name) buckets.set(name, b);
      }
      for (const stack of org.stacks) {
        for (const resource of stack.view.resources) {
          if (resource.type.startsWith('provider.') || resource.type.startsWith('terraform.')) continue;
          for (const { path, value } of strings(resource.config, false)) {
            const name = /^(?:arn:aws:s3:::|s3:\/\/)?([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/.*)?$/.exec(value)?.[1];
            const bucket = name ? buckets.get(name) : undefined;
            if (!bucket || bucket.stack.id === stack.id || org.runsBefore(bucket.stack, stack)) continue;
            hits.push({
              stack: stack.id,
              address: resource.address,
              message: `${path} names bucket ${name}, created by ${bucket.stack.id} (${bucket.resource.address}), which does not run before this layer: on a first apply the bucket may not exist yet`,
              fix: `read the bucket name from ${bucket.stack.id}'s outputs (remote state), which also orders the layers`,
            });
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-ORD-003',
    family: 'ordering',
    title: 'Container images come from repositories created by an upstream layer',
    docs: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_image',
    severity: 'warning',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource, image } of containerImages(org)) {
        if (!image.repository || resource.type !== 'aws_ecs_task_definition') continue;
        if (image.source && !image.repo) {
          // Another account's registry layer without the repository: PF-XACC-003 reports it (an error).
          if (image.accountId !== stack.account.id) continue;
          hits.push({
            stack: stack.id,
            address: resource.address,
            message: `runs ${image.uri} with the registry URL read from ${image.source.id}, which creates no repository ${image.repository} in ${image.region}: the service is created but its tasks cannot pull`,
            fix: `declare ${image.repository} in ${image.source.id}, or name a repository it declares`,
          });
          continue;
        }
        const repo = image.repo;
        if (!repo || repo.stack.id === stack.id || org.runsBefore(repo.stack, stack)) continue;
        hits.push({
          stack: stack.id,
          address: resource.address,
          message: `runs ${image.uri} from repository ${image.repository} of ${repo.stack.id}, which does not run before this layer: the service is created but its tasks cannot pull until the repository exists and holds the image`,
          fix: `read the repository URL from ${repo.stack.id}'s outputs (fromRegistry(...)), and push the image before the first apply`,
        });
      }
      return hits;
    },
  },
  {
    id: 'PF-ORD-004',
    family: 'ordering',
    title: 'A delivery to a bucket (Config, CloudTrail, load balancer logs) is created after the bucket policy that admits it',
    docs: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const d of DELIVERIES) {
        for (const { stack, resource } of org.resources(d.type)) {
          const value = valueAt(resource.config, d.path);
          if (value === undefined) continue;
          const bucket = bucketOf(org, stack, value);
          if (!bucket) continue;
          const policies = bucket.stack.view.ofType('aws_s3_bucket_policy').filter((p) => refersTo(p.config.bucket, bucket.resource.address) || p.config.bucket === bucket.resource.config.bucket);
          if (policies.length === 0) continue;
          if (bucket.stack.id !== stack.id) {
            if (!org.runsBefore(bucket.stack, stack)) {
              hits.push({ stack: stack.id, address: resource.address, message: `delivers to ${String(bucket.resource.config.bucket)}, whose policy is created by ${bucket.stack.id}, which does not run before this layer`, fix: `read the bucket from ${bucket.stack.id}'s outputs` });
            }
            continue;
          }
          const ordered = (r: ResourceView) => policies.some((p) => depends(r).includes(p.address) || refersTo(r.config, p.address));
          if (!ordered(resource)) {
            hits.push({
              stack: stack.id,
              address: resource.address,
              message: `delivers to ${String(bucket.resource.config.bucket)} of the same stack without depending on its policy (${policies.map((p) => p.address).join(', ')}): Terraform may create it first and AWS refuses the delivery (insufficient bucket permissions)`,
              fix: `add depends_on = [${policies[0].address}]`,
            });
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-ORD-005',
    family: 'ordering',
    title: 'Routes to a shared transit gateway are created after the hub accepts the attachment',
    docs: 'https://docs.aws.amazon.com/vpc/latest/tgw/tgw-vpc-attachments.html',
    severity: 'warning',
    check(org) {
      const hits: Hit[] = [];
      const same = (a: Located | undefined, b: Located): boolean => a !== undefined && a.stack.id === b.stack.id && a.resource.address === b.resource.address;
      for (const { stack, resource } of org.resources('aws_route')) {
        const tgw = target(org, stack, resource.config.transit_gateway_id);
        if (!tgw || tgw.resource.type !== 'aws_ec2_transit_gateway' || tgw.stack.account.id === stack.account.id) continue;
        if (tgw.resource.config.auto_accept_shared_attachments === 'enable') continue;
        // This account's attachments to that transit gateway in the route's region, in whatever layer makes them: the
        // route needs one accepted, by a hub layer that runs before the route's layer.
        const region = stack.regionOf(resource);
        const attachments = org.resources('aws_ec2_transit_gateway_vpc_attachment').filter((a) => a.stack.account.id === stack.account.id &&
          a.stack.regionOf(a.resource) === region && same(target(org, a.stack, a.resource.config.transit_gateway_id), tgw));
        const accepters = (attachment: Located) => org.resources('aws_ec2_transit_gateway_vpc_attachment_accepter')
          .filter((a) => same(target(org, a.stack, a.resource.config.transit_gateway_attachment_id), attachment));
        if (attachments.some((attachment) => accepters(attachment).some((a) => org.runsBefore(a.stack, stack)))) continue;
        if (attachments.length === 0) {
          hits.push({
            stack: stack.id,
            address: resource.address,
            message: `routes to transit gateway ${tgw.stack.id}: ${tgw.resource.address}, but no layer of ${stack.account.name} attaches a VPC to it in ${region}: a transit gateway is a route target only once the VPC has an attachment`,
            fix: 'attach the VPC (transit-attachment) and create the routes in a layer that runs after the hub accepts it (transit-routes)',
          });
          continue;
        }
        for (const attachment of attachments) {
          const by = accepters(attachment).map((a) => a.stack.id);
          hits.push({
            stack: stack.id,
            address: resource.address,
            message: `routes to transit gateway ${tgw.stack.id}: ${tgw.resource.address} through ${attachment.stack.id === stack.id ? '' : `${attachment.stack.id}: `}${attachment.resource.address}, which stays pendingAcceptance until ${by.join(', ') || 'someone'} accepts it${by.length > 0 ? ', a layer that does not run before this one' : ''}: on a first apply the route can fail (InvalidTransitGatewayID.NotFound) or point at a blackhole until a second apply`,
            fix: 'create the routes in a layer that reads the accepting layer (transit-routes reads network-hub-routes), or let the hub auto-accept shared attachments from the organisation',
          });
        }
      }
      return hits;
    },
  },
];
