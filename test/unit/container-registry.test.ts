import { EcrReplicationConfiguration } from '@cdktf/provider-aws/lib/ecr-replication-configuration';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { defineLayer } from '../../lib/config';
import { ContainerRegistry, type ContainerRegistryConfig } from '../../layers/container-registry';
import { account, build, resources, source, synthStack } from '../helpers';
import { statementsOf, wildcardGrants } from '../workload-helpers';

function src(config: Partial<ContainerRegistryConfig> = {}, project: { drRegion?: string } = {}) {
  return source({
    shared: { config: account({ id: '333333333333', environment: 'shared' }), layers: { 'container-registry': defineLayer(ContainerRegistry, { repositories: [{ name: 'test/api' }, { name: 'test/web', keepImages: 5 }], ...config }) } },
    management: { config: account({ id: '111111111111', environment: 'management' }) },
    'apps-devstg': { config: account({ id: '555555555555', environment: 'devstg' }) },
    'apps-prd': { config: account({ id: '666666666666', environment: 'prd' }) },
  }, project);
}
const synth = (config: Partial<ContainerRegistryConfig> = {}, project: { drRegion?: string } = {}) => synthStack(src(config, project), 'test-shared-container-registry');
const repoPolicies = (tf: string) => resources(tf, 'aws_ecr_repository_policy').map((p) => JSON.parse(p.policy as string).Statement[0]);

describe('container-registry', () => {
  it('creates immutable, scanned, KMS-encrypted repositories protected from destroy', () => {
    const tf = synth();
    expect(resources(tf, 'aws_ecr_repository')).toHaveLength(2);
    expect(tf).toHaveResourceWithProperties(EcrRepository, {
      name: 'test/api',
      image_tag_mutability: 'IMMUTABLE',
      image_scanning_configuration: { scan_on_push: true },
      force_delete: false,
      lifecycle: { prevent_destroy: true },
    });
    for (const r of resources(tf, 'aws_ecr_repository')) {
      expect(r.encryption_configuration).toEqual([{ encryption_type: 'KMS', kms_key: expect.stringMatching(/aws_kms_key\.key/) }]);
    }
  });

  it('expires untagged images and keeps only the newest ones', () => {
    const policies = resources(synth(), 'aws_ecr_lifecycle_policy').map((p) => JSON.parse(p.policy as string).rules);
    expect(policies[0][0].selection).toMatchObject({ tagStatus: 'untagged', countNumber: 14 });
    expect(policies[0][1].selection).toMatchObject({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 });
    expect(policies[1][1].selection.countNumber).toBe(5);
  });

  it('lets exactly the workload accounts pull, read-only', () => {
    const [statement] = repoPolicies(synth());
    expect(statement.Principal.AWS.sort()).toEqual(['arn:aws:iam::555555555555:root', 'arn:aws:iam::666666666666:root']);
    expect(statement.Action.sort()).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
    expect(JSON.stringify(statement)).not.toMatch(/ecr:\*|PutImage|"\*"/);
    const narrowed = repoPolicies(synth({ repositories: [{ name: 'test/api', pullAccounts: ['apps-prd'] }] }));
    expect(narrowed[0].Principal.AWS).toEqual(['arn:aws:iam::666666666666:root']);
  });

  it('replicates to the DR region with KMS-encrypted immutable replicas, and not without a DR region', () => {
    const tf = synth({}, { drRegion: 'us-west-2' });
    expect(tf).toHaveResourceWithProperties(EcrReplicationConfiguration, {
      replication_configuration: {
        rule: [{
          destination: [{ region: 'us-west-2', registry_id: '333333333333' }],
          repository_filter: [{ filter: 'test/api', filter_type: 'PREFIX_MATCH' }, { filter: 'test/web', filter_type: 'PREFIX_MATCH' }],
        }],
      },
    });
    const [template] = resources(tf, 'aws_ecr_repository_creation_template');
    expect(template).toMatchObject({ applied_for: ['REPLICATION'], image_tag_mutability: 'IMMUTABLE', provider: 'aws.us_west_2' });
    expect(template.encryption_configuration).toEqual([{ encryption_type: 'KMS', kms_key: expect.stringMatching(/aws_kms_key\.dr-key/) }]);
    expect(wildcardGrants(statementsOf(tf))).toEqual([]);
    expect(resources(synth({}, { drRegion: undefined }), 'aws_ecr_replication_configuration')).toEqual([]);
    expect(resources(synth({ replicateToDr: false }, { drRegion: 'us-west-2' }), 'aws_ecr_replication_configuration')).toEqual([]);
  });

  it('gives the creation template role what ECR documents: create, replicate and tag replicas, and KMS grants on the DR key', () => {
    const tf = synth({}, { drRegion: 'us-west-2' });
    const [policy] = resources(tf, 'aws_iam_role_policy');
    const statements = JSON.parse(policy.policy as string).Statement;
    expect(statements).toEqual([
      { Sid: 'CreateReplicaRepositories', Effect: 'Allow', Action: ['ecr:CreateRepository', 'ecr:ReplicateImage', 'ecr:TagResource'], Resource: 'arn:aws:ecr:us-west-2:333333333333:repository/*' },
      { Sid: 'KmsGrantsForReplicas', Effect: 'Allow', Action: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:RetireGrant'], Resource: expect.stringMatching(/aws_kms_key\.dr-key/) },
    ]);
  });

  it('refuses unknown accounts, bad names and duplicates', () => {
    expect(() => build(src({ pullAccounts: ['nope'] }))).toThrow(/pullAccounts\[0\]: unknown account "nope"/);
    expect(() => build(src({ repositories: [{ name: 'Bad Name' }] }))).toThrow(/repositories\[0\]\.name: "Bad Name" is not a valid ECR repository name/);
    expect(() => build(src({ repositories: [{ name: 'a' }, { name: 'a' }] }))).toThrow(/repositories\[1\]\.name: "a" is used twice/);
    expect(() => build(src({ repositories: [{ name: 'a', untaggedExpiryDays: 0 }] }))).toThrow(/repositories\[0\]\.untaggedExpiryDays: 0 must be a positive whole number/);
  });
});
