/** Stack-level rules: the state backend and the AWS provider blocks. */
import { block, isObject, isSet, strings, truthy, type Rule } from '../model';

export const REQUIRED_DEFAULT_TAGS = ['Project', 'Environment', 'Layer', 'ManagedBy'] as const;

export const stackRules: Rule[] = [
  {
    id: 'POL-TF-001',
    title: 'State is kept in an encrypted S3 backend',
    description: 'Terraform state holds every attribute of every resource, secrets included. The backend must be `s3` with ' +
      '`encrypt = true` (the bucket itself is SSE-KMS, see base-tf-backend). Local state is only accepted for the ' +
      'backend layer while it bootstraps (BOOTSTRAP=1).',
    severity: 'error',
    controls: [],
    resourceTypes: ['terraform.backend'],
    check(backend, stack) {
      if (backend.name === 'local' && stack.localStateAllowed) return undefined;
      if (backend.name !== 's3') return `backend "${backend.name}" is not the encrypted S3 backend`;
      return truthy(backend.config.encrypt) ? undefined : 'S3 backend without encrypt = true';
    },
  },
  {
    id: 'POL-TF-002',
    title: 'State is locked',
    description: 'Concurrent applies corrupt state. The S3 backend needs a lock: `dynamodb_table` or `use_lockfile = true`.',
    severity: 'error',
    controls: [],
    resourceTypes: ['terraform.backend'],
    check(backend, stack) {
      if (backend.name === 'local' && stack.localStateAllowed) return undefined;
      if (backend.name !== 's3') return undefined; // POL-TF-001 reports it
      return isSet(backend.config.dynamodb_table) || truthy(backend.config.use_lockfile)
        ? undefined : 'S3 backend without a lock (dynamodb_table or use_lockfile)';
    },
  },
  {
    id: 'POL-TAG-001',
    title: `Every AWS provider sets default tags ${REQUIRED_DEFAULT_TAGS.join(', ')}`,
    description: 'Cost allocation, ownership and incident response rely on consistent tags. LayerStack sets them through the ' +
      "provider's `default_tags`; a provider added by hand (another region, another account) must carry them too.",
    severity: 'error',
    controls: [],
    resourceTypes: ['provider.aws'],
    check(provider) {
      const tags = block(provider.config.default_tags)?.tags;
      const present = isObject(tags) ? Object.keys(tags) : [];
      const missing = REQUIRED_DEFAULT_TAGS.filter((t) => !present.includes(t) || strings(isObject(tags) ? tags[t] : undefined).join('') === '');
      return missing.length === 0 ? undefined : `provider default_tags miss ${missing.join(', ')}`;
    },
  },
];
