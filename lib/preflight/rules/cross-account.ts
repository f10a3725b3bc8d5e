/**
 * Cross-account access: a bucket, key, repository or transit gateway of one account used from another allows exactly
 * that use, in the owner's resource policy or resource share.
 */
import { refersTo, type ResourceView } from '../../policy/model';
import type { Hit, PreflightRule } from '../engine';
import { missingActions, statementsOf } from '../iam';
import { keyLabel, keyStatements, keyUses } from '../kms';
import { containerImages } from '../images';
import { literalString, valuesAt, type Located, type OrgModel, type StackModel } from '../model';
import { target } from './service-grants';

/** Bucket policies of the organisation by bucket (stack id + address). */
function bucketPolicies(bucket: Located): ResourceView[] {
  return bucket.stack.view.ofType('aws_s3_bucket_policy').filter((p) =>
    refersTo(p.config.bucket, bucket.resource.address) || p.config.bucket === bucket.resource.config.bucket);
}

function bucketNamed(org: OrgModel, name: string): Located | undefined {
  return org.resources('aws_s3_bucket').find((b) => b.resource.config.bucket === name);
}

/** The bucket a value names: a reference followed across stacks, or a literal name of a bucket some stack creates. */
export function bucketOf(org: OrgModel, stack: StackModel, value: unknown): Located | undefined {
  const t = target(org, stack, value);
  if (t && t.resource.type === 'aws_s3_bucket') return t;
  const literal = literalString(value);
  return literal ? bucketNamed(org, literal.replace(/^arn:aws:s3:::/, '')) : undefined;
}

const ECR_PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

export const crossAccountRules: PreflightRule[] = [
  {
    id: 'PF-XACC-001',
    family: 'cross-account',
    title: 'A Config delivery bucket in another account grants config.amazonaws.com the bucket check and the delivery for the delivering account',
    docs: 'https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_config_delivery_channel')) {
        const bucket = bucketOf(org, stack, resource.config.s3_bucket_name);
        if (!bucket || bucket.stack.account.id === stack.account.id) continue;
        const name = literalString(bucket.resource.config.bucket) ?? '*';
        const prefix = literalString(resource.config.s3_key_prefix);
        const statements = bucketPolicies(bucket).flatMap((p) => statementsOf(bucket.stack, p.config.policy));
        const asker = { service: 'config.amazonaws.com' };
        const context = { 'aws:SourceAccount': stack.account.id, 's3:x-amz-acl': 'bucket-owner-full-control' };
        const objectArn = `arn:aws:s3:::${name}/${prefix ? `${prefix}/` : ''}AWSLogs/${stack.account.id}/Config/ConfigSnapshot.json.gz`;
        const missing = [
          ...missingActions(statements, asker, ['s3:GetBucketAcl'], context, `arn:aws:s3:::${name}`),
          ...missingActions(statements, asker, ['s3:PutObject'], context, objectArn),
        ];
        if (missing.length === 0) continue;
        hits.push({
          stack: bucket.stack.id,
          address: bucket.resource.address,
          message: `${stack.id}: ${resource.address} delivers AWS Config data of account ${stack.account.name} (${stack.account.id}) here, but the bucket policy does not grant config.amazonaws.com ${missing.join(', ')} for that account`,
          fix: `grant config.amazonaws.com s3:GetBucketAcl on the bucket and s3:PutObject on AWSLogs/${stack.account.id}/Config/* with aws:SourceAccount including ${stack.account.id}`,
        });
      }
      return hits;
    },
  },
  {
    id: 'PF-XACC-002',
    family: 'cross-account',
    title: 'A customer managed key used by a resource of another account allows that account in its key policy',
    docs: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      // Deliveries by a service principal (Config, CloudTrail) are granted to the service: PF-KMS-006/007 check those.
      const serviceDelivered = new Set(['aws_config_delivery_channel', 'aws_cloudtrail']);
      for (const use of keyUses(org)) {
        if (use.key.kind !== 'key' || serviceDelivered.has(use.resource.type)) continue;
        const key = use.key.key;
        if (key.stack.account.id === use.stack.account.id) continue;
        const missing = missingActions(keyStatements(key), { accountId: use.stack.account.id }, ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant']);
        if (missing.length === 0) continue;
        hits.push({
          stack: key.stack.id,
          address: key.resource.address,
          message: `${use.stack.id}: ${use.resource.address}.${use.path} (account ${use.stack.account.name}) uses ${keyLabel(use.key)}, but its key policy does not allow account ${use.stack.account.id} ${missing.join(', ')}`,
          fix: `add a statement for arn:aws:iam::${use.stack.account.id}:root (or the using role) with ${missing.join(', ')}, or use a key of account ${use.stack.account.name}`,
        });
      }
      return hits;
    },
  },
  {
    id: 'PF-XACC-003',
    family: 'cross-account',
    title: 'An image pulled from another account\'s ECR repository exists there and the repository policy lets the pulling account pull',
    docs: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource, image } of containerImages(org)) {
        if (!image.accountId || !image.repository || image.accountId === stack.account.id) continue;
        const owner = org.accountById(image.accountId);
        if (!owner) continue;
        const via = image.source ? ` (registry URL read from ${image.source.id})` : '';
        if (!image.repo) {
          hits.push({
            stack: stack.id,
            address: resource.address,
            message: `pulls ${image.uri}${via}, but ${image.source ? `that layer creates no repository ${image.repository} in ${image.region}` : `no layer of ${owner.name} creates repository ${image.repository} in ${image.region}`}: the task cannot pull it`,
            fix: image.source
              ? `declare ${image.repository} in the repositories of ${image.source.id}, or name one it declares`
              : `add ${image.repository} to the container registry layer of ${owner.name}, and name the image with fromRegistry(...) so the layer reads it from there`,
          });
          continue;
        }
        const repo = image.repo;
        const policies = repo.stack.view.ofType('aws_ecr_repository_policy').filter((p) =>
          refersTo(p.config.repository, repo.resource.address) || p.config.repository === image.repository);
        const missing = missingActions(policies.flatMap((p) => statementsOf(repo.stack, p.config.policy)), { accountId: stack.account.id }, ECR_PULL);
        if (missing.length > 0) {
          hits.push({
            stack: repo.stack.id,
            address: repo.resource.address,
            message: `${stack.id}: ${resource.address} (account ${stack.account.name}) pulls ${image.uri}${via}, but the repository policy does not allow account ${stack.account.id} ${missing.join(', ')}`,
            fix: `add ${stack.account.name} to the repository's pull accounts`,
          });
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-XACC-004',
    family: 'cross-account',
    title: 'A transit gateway attached from another account is shared with it through RAM (and RAM sharing with the organisation is on)',
    docs: 'https://docs.aws.amazon.com/vpc/latest/tgw/tgw-transit-gateways.html#tgw-sharing',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_ec2_transit_gateway_vpc_attachment')) {
        const tgw = target(org, stack, resource.config.transit_gateway_id);
        if (!tgw || tgw.resource.type !== 'aws_ec2_transit_gateway' || tgw.stack.account.id === stack.account.id) continue;
        const shares = tgw.stack.view.ofType('aws_ram_resource_association').filter((a) => refersTo(a.config.resource_arn, tgw.resource.address));
        const shareAddresses = shares.flatMap((a) => valuesAt(a.config, 'resource_share_arn').filter((v): v is string => typeof v === 'string'));
        const principals = tgw.stack.view.ofType('aws_ram_principal_association').filter((p) => shareAddresses.some((arn) => {
          const r = target(org, tgw.stack, arn);
          return r !== undefined && refersTo(p.config.resource_share_arn, r.resource.address);
        }));
        const covering = principals.map((p) => ({ p, value: org.resolve(tgw.stack, p.config.principal) })).filter(({ value }) => {
          if (value.kind === 'literal') return value.value === stack.account.id || /^arn:aws:organizations::\d{12}:(organization|ou)\//.test(value.value);
          return value.kind === 'resource' && ['aws_organizations_organization', 'aws_organizations_organizational_unit'].includes(value.resource.type);
        });
        if (shares.length === 0 || covering.length === 0) {
          hits.push({
            stack: tgw.stack.id,
            address: tgw.resource.address,
            message: `${stack.id}: ${resource.address} (account ${stack.account.name}) attaches to this transit gateway, but no RAM share of ${tgw.stack.id} shares it with that account, its OU or the organisation`,
            fix: 'share the transit gateway with aws_ram_resource_share + aws_ram_resource_association + aws_ram_principal_association (organisation ARN)',
          });
          continue;
        }
        const orgWide = covering.some(({ value }) => value.kind === 'resource' || (value.kind === 'literal' && value.value.startsWith('arn:aws:organizations')));
        if (orgWide && org.resources('aws_ram_sharing_with_organization').length === 0) {
          hits.push({
            stack: tgw.stack.id,
            address: covering[0].p.address,
            message: 'shares with the organisation (or an OU), but no layer enables RAM sharing with AWS Organizations (aws_ram_sharing_with_organization in the management account): the share is refused',
            fix: 'enable RAM sharing with the organisation in the organizations layer (ramSharing)',
          });
        }
      }
      return hits;
    },
  },
];
