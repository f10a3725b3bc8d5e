import { SsoadminManagedPolicyAttachment } from '@cdktf/provider-aws/lib/ssoadmin-managed-policy-attachment';
import { SsoadminPermissionSet } from '@cdktf/provider-aws/lib/ssoadmin-permission-set';
import { SsoadminPermissionSetInlinePolicy } from '@cdktf/provider-aws/lib/ssoadmin-permission-set-inline-policy';
import { Lazy, Token, type TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems } from '../lib/validators';
import { PolicyStatements, type Grantable, type PolicyStatement } from './policy';
import { refuseProblems } from './prop-problems';

export interface PermissionSetProps {
  /** Identity Center instance ARN (from config: the `aws_ssoadmin_instances` data source calls AWS). */
  readonly instanceArn: string;
  /** Permission set name, at most 32 characters: the roles Identity Center creates are `AWSReservedSSO_<name>_<id>`. */
  readonly name: string;
  readonly description: string;
  /** ISO-8601 duration of a session, PT1H to PT12H. @default 'PT1H' */
  readonly sessionDuration?: string;
  /** AWS managed (or customer managed) policies attached, by ARN. @default [] */
  readonly managedPolicyArns?: readonly string[];
  /** Statements of the inline policy; grants to the set (`bucket.grantRead(set)`) land in it too. @default - no inline policy */
  readonly inlinePolicy?: readonly PolicyStatement[];
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** CreatePermissionSet `Description`: tab, line breaks, printable ASCII and Latin-1 (`[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`). */
const DESCRIPTION_TEXT = /^[\t\n\r\x20-\x7E\xA1-\xFF]*$/;
const MANAGED_POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;
/** PutInlinePolicyToPermissionSet `InlinePolicy`: at most 32768 characters. */
const INLINE_POLICY_MAX = 32768;

/**
 * Problems of the props that need no AWS, by prop name: the name, description, session duration, managed policy ARNs
 * and the inline policy's size and reach.
 * https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreatePermissionSet.html
 * https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PutInlinePolicyToPermissionSet.html
 */
export function permissionSetPropProblems(props: Partial<PermissionSetProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined) problems.check('name', awsName(props.name, { maxLength: 32, pattern: /^[\w+=,.@-]+$/, described: 'letters, digits and +=,.@_-' }));
  if (props.description !== undefined) {
    if (props.description.length < 1 || props.description.length > 700) problems.add('description', `is ${props.description.length} characters; Identity Center accepts 1 to 700`);
    else if (!DESCRIPTION_TEXT.test(props.description)) problems.add('description', 'may hold only tabs, line breaks and Latin-1 characters (Identity Center refuses the rest, e.g. typographic quotes and dashes)');
  }
  (props.managedPolicyArns ?? []).forEach((arn, i) => {
    if (!Token.isUnresolved(arn) && !MANAGED_POLICY_ARN.test(arn)) problems.add(`managedPolicyArns[${i}]`, `"${arn}" is not an IAM managed policy ARN`);
  });
  const duration = props.sessionDuration ?? 'PT1H';
  const hours = /^PT(\d{1,2})H$/.exec(duration);
  if (!hours || Number(hours[1]) < 1 || Number(hours[1]) > 12) problems.add('sessionDuration', `"${duration}" must be PT1H..PT12H`);
  if (props.inlinePolicy && JSON.stringify({ Version: '2012-10-17', Statement: props.inlinePolicy }).length > INLINE_POLICY_MAX) {
    problems.add('inlinePolicy', `is longer than the ${INLINE_POLICY_MAX} characters Identity Center accepts`);
  }
  for (const statement of props.inlinePolicy ?? []) {
    const actions = ([] as string[]).concat(statement.Action);
    if (statement.Effect === 'Allow' && actions.includes('*') && ([] as string[]).concat(statement.Resource ?? '*').includes('*')) {
      problems.add('inlinePolicy', 'allows "*" on "*"; use a managed policy for break-glass sets');
    }
  }
  return problems.list;
}

/**
 * An IAM Identity Center permission set: session duration, managed policies, and one inline policy built from the
 * statements given and whatever is granted to it, rendered at synth. Created in `scope` with ids `<id>` (the set),
 * `<id>-managed-<n>` and `<id>-inline`: the addresses the identities layer gave these resources before the module.
 */
export class PermissionSet implements Grantable {
  readonly permissionSet: SsoadminPermissionSet;
  readonly arn: string;
  /** The managed-policy attachments, in the order given (a break-glass set suppresses policy rules on them). */
  readonly managedPolicyAttachments: SsoadminManagedPolicyAttachment[];
  private readonly statements = new PolicyStatements();
  private inline?: SsoadminPermissionSetInlinePolicy;

  constructor(private readonly scope: Construct, private readonly id: string, private readonly props: PermissionSetProps) {
    refuseProblems(scope, id, permissionSetPropProblems(props));
    this.permissionSet = new SsoadminPermissionSet(scope, id, {
      provider: props.provider,
      instanceArn: props.instanceArn,
      name: props.name,
      description: props.description,
      sessionDuration: props.sessionDuration ?? 'PT1H',
    });
    this.arn = this.permissionSet.arn;
    this.managedPolicyAttachments = (props.managedPolicyArns ?? []).map((managedPolicyArn, i) => new SsoadminManagedPolicyAttachment(scope, `${id}-managed-${i}`, {
      provider: props.provider,
      instanceArn: props.instanceArn,
      permissionSetArn: this.arn,
      managedPolicyArn,
    }));
    for (const statement of props.inlinePolicy ?? []) this.addToPolicy(statement);
  }

  /** Adds a statement to the inline policy, created with the first one. */
  addToPolicy(statement: PolicyStatement): void {
    this.statements.add(statement);
    if (!this.inline) {
      this.inline = new SsoadminPermissionSetInlinePolicy(this.scope, `${this.id}-inline`, {
        provider: this.props.provider,
        instanceArn: this.props.instanceArn,
        permissionSetArn: this.arn,
        inlinePolicy: Lazy.stringValue({ produce: () => this.statements.render() }),
      });
    }
  }
}
