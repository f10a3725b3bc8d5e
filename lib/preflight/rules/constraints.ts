/**
 * Constraints only the AWS API enforces: delivery bucket rules (Config, load balancer logs, CloudFront logs), the
 * us-east-1 home of CloudFront certificates and WAF, regional certificates, delegated administrators per region,
 * name lengths, globally unique and account-unique names, one-per-account settings.
 */
import { ELB_LOG_ACCOUNTS } from '../../../modules/alb';
import { GLOBAL_NAMESPACES, globalResourceName } from '../../naming';
import { block, blocks, isObject, refersTo, truthy, type ResourceView } from '../../policy/model';
import type { Hit, PreflightRule } from '../engine';
import { missingActions, statementsOf } from '../iam';
import { keyLabel, keyPlace, keyStatements, keyUses, resolveKey } from '../kms';
import { arnRegion, literalString, valuesAt, type Located, type OrgModel, type StackModel } from '../model';
import { ONE_PER_ACCOUNT, UNIQUE_IN_ACCOUNT } from '../../aws-names';
import { CLOUDFRONT_REGION, GLOBAL_NAMES, NAME_LIMITS } from '../tables';
import { bucketOf } from './cross-account';
import { target } from './service-grants';

function companions(bucket: Located, type: string): ResourceView[] {
  return bucket.stack.view.ofType(type).filter((r) => refersTo(r.config.bucket, bucket.resource.address) || r.config.bucket === bucket.resource.config.bucket);
}

function sseOf(org: OrgModel, bucket: Located): { algorithm?: string; key?: ReturnType<typeof resolveKey> } {
  const rule = companions(bucket, 'aws_s3_bucket_server_side_encryption_configuration').flatMap((c) => blocks(c.config.rule))
    .map((r) => block(r.apply_server_side_encryption_by_default)).find((d) => d !== undefined);
  if (!rule) return {};
  const key = rule.kms_master_key_id !== undefined ? resolveKey(org, bucket.stack, rule.kms_master_key_id) : undefined;
  return { algorithm: literalString(rule.sse_algorithm), key };
}

function objectLocked(bucket: Located): boolean {
  return truthy(bucket.resource.config.object_lock_enabled) || companions(bucket, 'aws_s3_bucket_object_lock_configuration').length > 0 ||
    block(bucket.resource.config.object_lock_configuration)?.object_lock_enabled === 'Enabled';
}

/** The certificate a value names: an aws_acm_certificate(_validation) of the organisation, or a literal ARN. */
function certificateRegion(org: OrgModel, stack: StackModel, value: unknown): { region?: string; label: string } | undefined {
  const r = org.resolve(stack, value);
  if (r.kind === 'resource' && (r.resource.type === 'aws_acm_certificate' || r.resource.type === 'aws_acm_certificate_validation')) {
    return { region: r.stack.regionOf(r.resource), label: `${r.stack.id}: ${r.resource.address}` };
  }
  if (r.kind === 'literal' && r.value.startsWith('arn:')) return { region: arnRegion(r.value), label: r.value };
  return undefined;
}

/**
 * Services whose delegated administrator is designated per region (resource and attribute naming the account) and the
 * resource that configures the organisation there (PF-API-006).
 */
const REGIONAL_DELEGATIONS: readonly { configType: string; adminType: string; adminAttribute: string; service: string }[] = [
  { configType: 'aws_guardduty_organization_configuration', adminType: 'aws_guardduty_organization_admin_account', adminAttribute: 'admin_account_id', service: 'GuardDuty' },
  { configType: 'aws_securityhub_organization_configuration', adminType: 'aws_securityhub_organization_admin_account', adminAttribute: 'admin_account_id', service: 'Security Hub' },
  { configType: 'aws_inspector2_organization_configuration', adminType: 'aws_inspector2_delegated_admin_account', adminAttribute: 'account_id', service: 'Inspector' },
  { configType: 'aws_macie2_organization_configuration', adminType: 'aws_macie2_organization_admin_account', adminAttribute: 'admin_account_id', service: 'Macie' },
];

/** What designating the administrator enables in its account and region, so that creating it fails (PF-API-007). */
const ENABLED_BY_DESIGNATION: readonly { type: string; adminType: string; adminAttribute: string; what: string }[] = [
  { type: 'aws_guardduty_detector', adminType: 'aws_guardduty_organization_admin_account', adminAttribute: 'admin_account_id', what: 'GuardDuty detector' },
  { type: 'aws_macie2_account', adminType: 'aws_macie2_organization_admin_account', adminAttribute: 'admin_account_id', what: 'Macie session' },
];

export const constraintRules: PreflightRule[] = [
  {
    id: 'PF-API-001',
    family: 'constraints',
    title: 'AWS Config never delivers to a bucket with S3 Object Lock',
    docs: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-config-deliverychannel.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_config_delivery_channel')) {
        const bucket = bucketOf(org, stack, resource.config.s3_bucket_name);
        if (!bucket || !objectLocked(bucket)) continue;
        hits.push({
          stack: stack.id,
          address: resource.address,
          message: `delivers to ${bucket.resource.config.bucket} (${bucket.stack.id}: ${bucket.resource.address}), which has S3 Object Lock: AWS Config does not support delivery to an Object Lock bucket`,
          fix: 'deliver Config to a separate bucket without Object Lock (same organisation-wide bucket and key policies); keep CloudTrail\'s archive locked',
        });
      }
      return hits;
    },
  },
  {
    id: 'PF-API-002',
    family: 'constraints',
    title: 'Load balancer access logs go to an SSE-S3 bucket whose policy admits ELB log delivery of that region',
    docs: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_lb', 'aws_alb')) {
        for (const logs of [...blocks(resource.config.access_logs), ...blocks(resource.config.connection_logs)]) {
          if (logs.enabled === false || logs.bucket === undefined) continue;
          const bucket = bucketOf(org, stack, logs.bucket);
          if (!bucket) continue;
          const region = stack.regionOf(resource);
          const sse = sseOf(org, bucket);
          if (sse.algorithm && sse.algorithm !== 'AES256') {
            hits.push({ stack: bucket.stack.id, address: bucket.resource.address, message: `receives access logs of ${stack.id}: ${resource.address} but is encrypted with ${sse.algorithm}: load balancer log delivery supports only SSE-S3`, fix: 'use SSE-S3 (AES256) on the log bucket' });
          }
          const prefix = literalString(logs.prefix);
          const objectArn = `arn:aws:s3:::${literalString(bucket.resource.config.bucket) ?? '*'}/${prefix ? `${prefix}/` : ''}AWSLogs/${stack.account.id}/elasticloadbalancing/${region}/x.log.gz`;
          const statements = companions(bucket, 'aws_s3_bucket_policy').flatMap((p) => statementsOf(bucket.stack, p.config.policy));
          const elbAccount = ELB_LOG_ACCOUNTS[region];
          const viaService = missingActions(statements, { service: 'logdelivery.elasticloadbalancing.amazonaws.com' }, ['s3:PutObject'], {}, objectArn).length === 0;
          const viaAccount = elbAccount !== undefined && missingActions(statements, { accountId: elbAccount }, ['s3:PutObject'], {}, objectArn).length === 0;
          if (!viaService && !viaAccount) {
            hits.push({
              stack: bucket.stack.id,
              address: bucket.resource.address,
              message: `receives access logs of ${stack.id}: ${resource.address} (${region}) but its policy does not let ${elbAccount ? `the ELB account ${elbAccount} or ` : ''}logdelivery.elasticloadbalancing.amazonaws.com s3:PutObject to ${objectArn.replace(/x\.log\.gz$/, '*')}`,
              fix: 'grant ELB log delivery s3:PutObject on <prefix>/AWSLogs/<account>/* (modules/alb.ts AlbAccessLogBucket does)',
            });
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-API-003',
    family: 'constraints',
    title: 'A CloudFront standard-logging bucket has ACLs enabled (not BucketOwnerEnforced), and its KMS key (if any) admits log delivery',
    docs: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_cloudfront_distribution')) {
        for (const logging of blocks(resource.config.logging_config)) {
          const ref = org.resolve(stack, logging.bucket);
          const bucket = ref.kind === 'resource' && ref.resource.type === 'aws_s3_bucket' ? { stack: ref.stack, resource: ref.resource }
            : bucketOf(org, stack, String(logging.bucket ?? '').replace(/\.s3(\.[a-z0-9-]+)?\.amazonaws\.com$/, ''));
          if (!bucket) continue;
          const ownership = companions(bucket, 'aws_s3_bucket_ownership_controls').map((o) => block(o.config.rule)?.object_ownership);
          if (ownership.includes('BucketOwnerEnforced')) {
            hits.push({ stack: bucket.stack.id, address: bucket.resource.address, message: `receives CloudFront standard logs of ${stack.id}: ${resource.address} but has ACLs disabled (BucketOwnerEnforced): CloudFront writes logs with an ACL and fails`, fix: 'set object_ownership to BucketOwnerPreferred on the log bucket' });
          }
          const sse = sseOf(org, bucket);
          if (sse.algorithm?.startsWith('aws:kms') && sse.key?.kind === 'key' &&
            missingActions(keyStatements(sse.key.key), { service: 'delivery.logs.amazonaws.com' }, ['kms:GenerateDataKey']).length > 0) {
            hits.push({ stack: bucket.stack.id, address: bucket.resource.address, message: `receives CloudFront standard logs of ${stack.id}: ${resource.address} and is encrypted with ${keyLabel(sse.key)}, whose policy does not let delivery.logs.amazonaws.com kms:GenerateDataKey*`, fix: 'grant delivery.logs.amazonaws.com kms:GenerateDataKey* in the key policy, or use SSE-S3 on the log bucket' });
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-API-004',
    family: 'constraints',
    title: 'CloudFront viewer certificates and CLOUDFRONT-scope web ACLs live in us-east-1',
    docs: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_cloudfront_distribution')) {
        for (const cert of blocks(resource.config.viewer_certificate)) {
          if (cert.acm_certificate_arn === undefined) continue;
          const place = certificateRegion(org, stack, cert.acm_certificate_arn);
          if (place?.region && place.region !== CLOUDFRONT_REGION) {
            hits.push({ stack: stack.id, address: resource.address, message: `uses certificate ${place.label} from ${place.region}: CloudFront reads viewer certificates from ACM in us-east-1 only`, fix: 'issue the certificate with a us-east-1 provider (LayerStack.providerFor(\'us-east-1\'))' });
          }
        }
        if (resource.config.web_acl_id !== undefined) {
          const acl = target(org, stack, resource.config.web_acl_id);
          if (acl && acl.resource.type === 'aws_wafv2_web_acl' && acl.resource.config.scope !== 'CLOUDFRONT') {
            hits.push({ stack: stack.id, address: resource.address, message: `uses web ACL ${acl.resource.address} of scope ${String(acl.resource.config.scope)}: a distribution takes only a CLOUDFRONT-scope web ACL`, fix: 'create the web ACL with scope CLOUDFRONT in us-east-1' });
          }
        }
      }
      for (const { stack, resource } of org.resources('aws_wafv2_web_acl')) {
        if (resource.config.scope === 'CLOUDFRONT' && stack.regionOf(resource) !== CLOUDFRONT_REGION) {
          hits.push({ stack: stack.id, address: resource.address, message: `is a CLOUDFRONT-scope web ACL created in ${stack.regionOf(resource)}: the API accepts CLOUDFRONT scope only in us-east-1`, fix: 'create it with a us-east-1 provider' });
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-API-005',
    family: 'constraints',
    title: 'Regional certificates (load balancer listeners, API Gateway regional domains) are in the resource\'s region',
    docs: 'https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      const check = (stack: StackModel, resource: ResourceView, values: unknown[]) => {
        for (const value of values) {
          const place = certificateRegion(org, stack, value);
          const region = stack.regionOf(resource);
          if (place?.region && place.region !== region) {
            hits.push({ stack: stack.id, address: resource.address, message: `uses certificate ${place.label} from ${place.region} in ${region}: ACM certificates are regional`, fix: `issue the certificate in ${region}` });
          }
        }
      };
      for (const { stack, resource } of org.resources('aws_lb_listener', 'aws_lb_listener_certificate')) check(stack, resource, valuesAt(resource.config, 'certificate_arn'));
      for (const { stack, resource } of org.resources('aws_apigatewayv2_domain_name')) {
        const regional = blocks(resource.config.domain_name_configuration).filter((c) => c.endpoint_type !== 'EDGE');
        check(stack, resource, regional.map((c) => c.certificate_arn));
      }
      return hits;
    },
  },
  {
    id: 'PF-API-006',
    family: 'constraints',
    title: 'GuardDuty, Security Hub, Inspector and Macie delegated administrators are designated in every region where the organisation is configured',
    docs: 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { configType, adminType, adminAttribute, service } of REGIONAL_DELEGATIONS) {
        const admins = org.resources(adminType).map((a) => ({ account: literalString(a.resource.config[adminAttribute]) ?? org.resolve(a.stack, a.resource.config[adminAttribute]), region: a.stack.regionOf(a.resource), a }));
        for (const { stack, resource } of org.resources(configType)) {
          const region = stack.regionOf(resource);
          const designated = admins.some((a) => a.region === region && (a.account === stack.account.id || typeof a.account !== 'string'));
          if (designated) continue;
          const elsewhere = admins.filter((a) => a.account === stack.account.id).map((a) => `${a.a.stack.id}: ${a.a.resource.address} (${a.region})`);
          hits.push({
            stack: stack.id,
            address: resource.address,
            message: `configures the ${service} organisation in ${region}, but ${stack.account.name} is not designated ${service} delegated administrator in ${region}${elsewhere.length > 0 ? ` (only in ${elsewhere.join(', ')})` : ''}: designations are per region`,
            fix: `designate the ${service} administrator in ${region} too (${adminType} with a ${region} provider in the management account)`,
          });
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-API-007',
    family: 'constraints',
    title: 'The GuardDuty and Macie delegated administrators adopt what the designation enabled instead of creating a second one',
    docs: 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { type, adminType, adminAttribute, what } of ENABLED_BY_DESIGNATION) {
        const admins = org.resources(adminType);
        for (const { stack, resource } of org.resources(type)) {
          const region = stack.regionOf(resource);
          const designation = admins.find((a) => a.resource.config[adminAttribute] === stack.account.id && a.stack.regionOf(a.resource) === region);
          if (!designation || importedBy(stack, resource.address)) continue;
          hits.push({
            stack: stack.id,
            address: resource.address,
            message: `creates a ${what} in ${region}, but ${designation.stack.id}: ${designation.resource.address} makes ${stack.account.name} the delegated administrator there, which enables one in this account: the create fails (it already exists)`,
            fix: `import the ${what} the designation created (terraform import / an import block)`,
          });
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-API-008',
    family: 'constraints',
    title: 'Names fit the length and characters each API accepts',
    docs: 'https://docs.aws.amazon.com/general/latest/gr/aws-service-information.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const limit of NAME_LIMITS) {
        for (const { stack, resource } of org.resources(limit.type)) {
          // A dotted attribute reaches into a block (`export.name`); top-level names are the common case.
          const name = literalString(valuesAt(resource.config, limit.attribute)[0]);
          if (name === undefined) continue;
          if (name.length < limit.min || name.length > limit.max) {
            hits.push({ stack: stack.id, address: resource.address, message: `${limit.attribute} "${name}" is ${name.length} characters; ${limit.type} accepts ${limit.min}-${limit.max} (${limit.docs})`, fix: `shorten it to at most ${limit.max} characters (a shorter project or account name, or a shorter purpose)` });
          } else if (limit.pattern && !limit.pattern.test(name)) {
            hits.push({ stack: stack.id, address: resource.address, message: `${limit.attribute} "${name}" is not accepted: ${limit.patternText} (${limit.docs})`, fix: `use only ${limit.patternText}` });
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-API-009',
    family: 'constraints',
    title: 'Globally unique names (S3 buckets, Cognito domain prefixes) carry the project name and the owning account id',
    docs: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const g of GLOBAL_NAMES) {
        for (const { stack, resource } of org.resources(g.type)) {
          const name = literalString(resource.config[g.attribute]);
          if (name === undefined) continue;
          const lacks = [
            ...(name.includes(org.project.name) ? [] : [`the project name "${org.project.name}"`]),
            ...(name.includes(stack.account.id) ? [] : [`the account id ${stack.account.id}`]),
          ];
          if (lacks.length === 0) continue;
          const prefix = `${org.project.name}-${stack.account.name}-`;
          const purpose = name.startsWith(prefix) ? name.slice(prefix.length) : name;
          hits.push({
            stack: stack.id,
            address: resource.address,
            message: `${g.attribute} "${name}" lacks ${lacks.join(' and ')}: ${GLOBAL_NAMESPACES[g.namespace].description} are shared with every AWS customer, so a name any other organisation can pick may already be taken and the create fails`,
            fix: `derive it with globalResourceName (lib/naming.ts; LayerStack.globalName in a layer): "${globalResourceName(org.project.name, stack.account.name, stack.account.id, purpose)}"`,
          });
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-API-010',
    family: 'constraints',
    title: 'Names that are unique per account (IAM) or per account and region are created by one layer only',
    docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const u of UNIQUE_IN_ACCOUNT) {
        const seen = new Map<string, Located[]>();
        for (const located of org.resources(u.type)) {
          const name = literalString(located.resource.config[u.attribute]);
          if (name === undefined) continue;
          const key = `${located.stack.account.id}/${u.scope === 'region' ? located.stack.regionOf(located.resource) : ''}/${name.toLowerCase()}`;
          seen.set(key, [...(seen.get(key) ?? []), located]);
        }
        for (const [key, list] of seen) {
          if (list.length < 2) continue;
          for (const l of list.slice(1)) {
            hits.push({
              stack: l.stack.id,
              address: l.resource.address,
              message: `${u.type} ${u.attribute} "${key.split('/').pop()}" is also created by ${list.filter((o) => o !== l).map((o) => `${o.stack.id}: ${o.resource.address}`).join(', ')} in the same account${u.scope === 'region' ? ' and region' : ''}: the second create fails (already exists)`,
              fix: 'give each its own name (include the layer or region), or create it once and share it through outputs',
            });
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-API-011',
    family: 'constraints',
    title: 'One-per-account settings (Config recorder and channel, GuardDuty detector, default EBS key, password policy...) are declared by one layer',
    docs: 'https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const o of ONE_PER_ACCOUNT) {
        const seen = new Map<string, Located[]>();
        for (const located of org.resources(o.type)) {
          const key = `${located.stack.account.id}/${o.scope === 'region' ? located.stack.regionOf(located.resource) : ''}`;
          seen.set(key, [...(seen.get(key) ?? []), located]);
        }
        for (const list of seen.values()) {
          for (const l of list.slice(1)) {
            hits.push({
              stack: l.stack.id,
              address: l.resource.address,
              message: `declares the ${o.what} of ${l.stack.account.name}${o.scope === 'region' ? ` in ${l.stack.regionOf(l.resource)}` : ''}, which ${list[0].stack.id}: ${list[0].resource.address} also declares: an account has one, so the two layers overwrite each other or the second create fails`,
              fix: 'declare it in one layer only',
            });
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-API-012',
    family: 'constraints',
    title: 'A KMS key is in the region of the resource it encrypts (Config: of the bucket)',
    docs: 'https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const use of keyUses(org)) {
        const keyRegion = keyPlace(use.key).region;
        if (!keyRegion) continue;
        let region = use.stack.regionOf(use.resource);
        let what = `${use.resource.type} in ${region}`;
        if (use.resource.type === 'aws_config_delivery_channel') {
          const bucket = bucketOf(org, use.stack, use.resource.config.s3_bucket_name);
          if (!bucket) continue;
          region = bucket.stack.regionOf(bucket.resource);
          what = `delivery bucket ${String(bucket.resource.config.bucket)} in ${region}`;
        }
        if (use.resource.type === 'aws_s3_bucket_replication_configuration') {
          const dest = valuesAt(use.resource.config, 'rule.destination.bucket')[0];
          const bucket = bucketOf(org, use.stack, dest);
          if (!bucket) continue;
          region = bucket.stack.regionOf(bucket.resource);
          what = `replica bucket ${String(bucket.resource.config.bucket)} in ${region}`;
        }
        if (keyRegion === region) continue;
        hits.push({
          stack: use.stack.id,
          address: use.resource.address,
          message: `${use.path} names a key in ${keyRegion} for the ${what}: KMS keys are regional`,
          fix: `use a key of ${region} (or a multi-Region replica key there)`,
        });
      }
      return hits;
    },
  },
  {
    id: 'PF-API-013',
    family: 'constraints',
    title: 'WAF logs go to a destination named aws-waf-logs-... (CLOUDFRONT scope: in us-east-1)',
    docs: 'https://docs.aws.amazon.com/waf/latest/developerguide/logging-destinations.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_wafv2_web_acl_logging_configuration')) {
        const acl = target(org, stack, resource.config.resource_arn);
        for (const value of valuesAt(resource.config, 'log_destination_configs')) {
          const dest = target(org, stack, value);
          const name = dest ? literalString(dest.resource.config.name) ?? literalString(dest.resource.config.bucket) : literalString(value)?.split(/[:/]/).pop();
          if (name !== undefined && !name.startsWith('aws-waf-logs-')) {
            hits.push({ stack: stack.id, address: resource.address, message: `logs to "${name}": WAF accepts only log groups, buckets and Firehose streams whose name starts with aws-waf-logs-`, fix: `rename the destination aws-waf-logs-${name}` });
          }
          const scope = acl?.resource.type === 'aws_wafv2_web_acl' ? acl.resource.config.scope : undefined;
          if (scope === 'CLOUDFRONT' && dest && dest.resource.type === 'aws_cloudwatch_log_group' && dest.stack.regionOf(dest.resource) !== CLOUDFRONT_REGION) {
            hits.push({ stack: stack.id, address: resource.address, message: `logs a CLOUDFRONT-scope web ACL to a log group in ${dest.stack.regionOf(dest.resource)}: it must be in us-east-1`, fix: 'create the log group with the us-east-1 provider' });
          }
        }
      }
      return hits;
    },
  },
];

/** True when an `import` block of the stack adopts the resource at `address` instead of creating it. */
function importedBy(stack: StackModel, address: string): boolean {
  const imports = stack.tf.import;
  return Array.isArray(imports) && imports.some((i) => isObject(i) && i.to === address);
}
