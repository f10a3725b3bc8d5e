/** Assertions shared by the workload layer tests (eks, fargate, container-registry, developer-platform). */
import { resources } from './helpers';

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const POLICY_FIELDS: Record<string, string> = {
  aws_iam_role_policy: 'policy',
  aws_iam_policy: 'policy',
  aws_iam_role: 'assume_role_policy',
  aws_ecr_repository_policy: 'policy',
  aws_kms_key: 'policy',
  aws_s3_bucket_policy: 'policy',
};

/** Every statement of every IAM-style policy document in a synthesized stack. */
export function statementsOf(tf: string, types: readonly string[] = ['aws_iam_role_policy', 'aws_iam_policy']): Statement[] {
  return types.flatMap((type) => resources(tf, type).flatMap((r) => {
    const doc = r[POLICY_FIELDS[type]];
    return typeof doc === 'string' ? (JSON.parse(doc).Statement as Statement[]) : [];
  }));
}

export const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Allow statements whose action is a whole-service wildcard (`*`, `s3:*`) on every resource. */
export function wildcardGrants(statements: readonly Statement[]): Statement[] {
  return statements.filter((s) => s.Effect === 'Allow'
    && list(s.Action).some((a) => a === '*' || a.endsWith(':*'))
    && list(s.Resource).includes('*'));
}

/** Managed policies attached to roles in a stack. */
export function attachedPolicies(tf: string): string[] {
  return resources(tf, 'aws_iam_role_policy_attachment').map((r) => r.policy_arn as string);
}
