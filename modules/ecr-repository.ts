import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository as EcrRepositoryResource } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcrRepositoryPolicy } from '@cdktf/provider-aws/lib/ecr-repository-policy';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems, positiveInteger } from '../lib/validators';
import { ECR_PULL_ACTIONS } from './perms';
import { policyDocument, type PolicyStatement } from './policy';


export interface EcrLifecycleProps {
  /** Untagged images (failed or superseded pushes) expire after this many days. @default 14 */
  readonly untaggedExpiryDays?: number;
  /** Only the most recent images are kept. @default 100 */
  readonly keepImages?: number;
}

/** The lifecycle policy text: expire untagged images, then keep only the newest N of any tag status. */
export function ecrLifecyclePolicy(props: EcrLifecycleProps = {}): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: 'Expire untagged images',
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: props.untaggedExpiryDays ?? 14 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: 'Keep only the most recent images',
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: props.keepImages ?? 100 },
        action: { type: 'expire' },
      },
    ],
  });
}

/** Repository policy statement letting whole accounts pull (their own IAM still decides which principals may). */
export function ecrPullStatement(accountIds: readonly string[]): PolicyStatement {
  return {
    Sid: 'PullFromWorkloadAccounts',
    Effect: 'Allow',
    Principal: { AWS: accountIds.map((id) => `arn:aws:iam::${id}:root`) },
    Action: [...ECR_PULL_ACTIONS],
  };
}

export interface EcrRepositoryProps extends EcrLifecycleProps {
  readonly name: string;
  /** Customer managed key encrypting the images. */
  readonly kmsKeyArn: string;
  /** Accounts allowed to pull. @default [] (this account only) */
  readonly pullAccountIds?: readonly string[];
  /** Refuse `terraform destroy` (images would be lost). @default true */
  readonly protect?: boolean;
}

const REPOSITORY_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/** Problems of the props that need no AWS, by prop name (ECR's name rules, lifecycle counts). */
export function ecrRepositoryPropProblems(props: Partial<EcrRepositoryProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined) {
    const bad = awsName(props.name, { maxLength: 256, pattern: REPOSITORY_NAME, described: 'lowercase namespaces separated by /' });
    if (bad) problems.add('name', `"${props.name}" is not a valid ECR repository name (${bad.replace(`"${props.name}" `, '')})`);
  }
  if (props.keepImages !== undefined && positiveInteger(props.keepImages)) problems.add('keepImages', 'must keep at least one image');
  if (props.untaggedExpiryDays !== undefined) problems.check('untaggedExpiryDays', positiveInteger(props.untaggedExpiryDays));
  return problems.list;
}

/**
 * A private ECR repository: immutable tags, scan on push, KMS encryption, a lifecycle policy and, when other
 * accounts pull from it, a repository policy naming exactly those accounts.
 */
export class EcrRepository extends Construct {
  readonly repository: EcrRepositoryResource;
  readonly arn: string;
  readonly url: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: EcrRepositoryProps) {
    super(scope, id);
    this.repository = new EcrRepositoryResource(this, 'repository', {
      name: props.name,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: props.kmsKeyArn }],
      forceDelete: false,
      lifecycle: { preventDestroy: props.protect ?? true },
    });
    this.arn = this.repository.arn;
    this.url = this.repository.repositoryUrl;
    this.name = this.repository.name;
    new EcrLifecyclePolicy(this, 'lifecycle', { repository: this.repository.name, policy: ecrLifecyclePolicy(props) });
    const pullers = props.pullAccountIds ?? [];
    if (pullers.length > 0) {
      new EcrRepositoryPolicy(this, 'policy', { repository: this.repository.name, policy: policyDocument([ecrPullStatement(pullers)]) });
    }
  }
}
