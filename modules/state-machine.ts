import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { Token, type TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems, logRetentionDays, oneOf } from '../lib/validators';
import type { LambdaFunction } from './lambda-function';
import { STATE_MACHINE_LOG_DELIVERY_ACTIONS, STATE_MACHINE_START_ACTIONS, XRAY_TRACING_ACTIONS } from './perms';
import { allow, type Grantable } from './policy';
import { refuseProblems } from './prop-problems';
import { ServiceRole } from './role';

export type StateMachineLogLevel = 'ALL' | 'ERROR' | 'FATAL';
const LOG_LEVELS: readonly StateMachineLogLevel[] = ['ALL', 'ERROR', 'FATAL'];

export interface StateMachineProps {
  /** State machine name, `<prefix>` of the layer (1 to 80 letters, digits, - and _). */
  readonly name: string;
  /** The Amazon States Language definition (`StartAt`, `States`), rendered as JSON. */
  readonly definition: Readonly<Record<string, unknown>>;
  /**
   * Functions the definition invokes (`arn:aws:states:::lambda:invoke` tasks on their aliases): the role may invoke
   * them, nothing else. @default []
   */
  readonly invokes?: readonly LambdaFunction[];
  /** Account of the state machine: its role trusts Step Functions for this account only (confused deputy). */
  readonly accountId: string;
  /** Execution logs: `/aws/vendedlogs/states/<name>`, encrypted with `kmsKeyArn` (its policy must admit CloudWatch Logs). */
  readonly logs: {
    readonly retentionDays: number;
    readonly kmsKeyArn: string;
    /** @default 'ERROR' */
    readonly level?: StateMachineLogLevel;
    /** Log the input and output of every state (may hold personal data). @default false */
    readonly includeExecutionData?: boolean;
  };
  /** `EXPRESS` for high-volume, short workflows (at-least-once, no execution history). @default 'STANDARD' */
  readonly type?: 'STANDARD' | 'EXPRESS';
  /** @default `<name>-states` */
  readonly roleName?: string;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * Problems of the props that need no AWS, by prop name.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
 */
export function stateMachinePropProblems(props: Partial<StateMachineProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) {
    problems.check('name', awsName(props.name, { maxLength: 80, pattern: /^[A-Za-z0-9_-]+$/, described: 'letters, digits, - and _' }));
  }
  if (props.logs !== undefined) {
    problems.check('logs.retentionDays', logRetentionDays(props.logs.retentionDays));
    if (props.logs.level !== undefined) problems.check('logs.level', oneOf(props.logs.level, LOG_LEVELS));
  }
  if (props.definition !== undefined && (typeof props.definition.StartAt !== 'string' || typeof props.definition.States !== 'object')) {
    problems.add('definition', 'needs StartAt and States');
  }
  return problems.list;
}

/**
 * A Step Functions state machine with X-Ray tracing and execution logs in its own encrypted log group, run by a role
 * that Step Functions of this account alone may assume, granted log delivery, tracing and the invocation of the
 * functions its definition calls: nothing else.
 *
 * The state machine, its log group, role and policy are created directly in `scope` with ids `<id>`, `<id>-logs`,
 * `<id>-role` and `<id>-policy` (the flat addresses the serverless layer gave them before this module): adopting it
 * moves no resource.
 */
export class StateMachine {
  readonly stateMachine: SfnStateMachine;
  readonly arn: string;
  readonly role: ServiceRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: StateMachineProps) {
    refuseProblems(scope, id, stateMachinePropProblems(props));
    const provider = props.provider;
    this.logGroup = new CloudwatchLogGroup(scope, `${id}-logs`, {
      provider,
      name: `/aws/vendedlogs/states/${props.name}`,
      retentionInDays: props.logs.retentionDays,
      kmsKeyId: props.logs.kmsKeyArn,
    });
    this.role = new ServiceRole(scope, `${id}-role`, {
      provider,
      name: props.roleName ?? `${props.name}-states`,
      service: 'states.amazonaws.com',
      sourceAccount: props.accountId,
      ids: { policy: `${id}-policy` },
    });
    for (const fn of props.invokes ?? []) fn.grantInvoke(this.role, 'InvokeSteps');
    // Log delivery and tracing have no resource-level permissions: `*` is their only resource.
    this.role.addToPolicy(allow('LogDelivery', STATE_MACHINE_LOG_DELIVERY_ACTIONS, '*'));
    this.role.addToPolicy(allow('XRay', XRAY_TRACING_ACTIONS, '*'));
    this.stateMachine = new SfnStateMachine(scope, id, {
      provider,
      name: props.name,
      type: props.type ?? 'STANDARD',
      roleArn: this.role.arn,
      definition: JSON.stringify(props.definition),
      loggingConfiguration: {
        logDestination: `${this.logGroup.arn}:*`,
        level: props.logs.level ?? 'ERROR',
        includeExecutionData: props.logs.includeExecutionData ?? false,
      },
      tracingConfiguration: { enabled: true },
      // Step Functions checks the role's log delivery permissions when the state machine is created.
      dependsOn: this.role.permissions,
    });
    this.arn = this.stateMachine.arn;
  }

  /** Start executions (an EventBridge rule's target role). */
  grantStartExecution(grantee: Grantable): void {
    grantee.addToPolicy(allow('StartWorkflow', STATE_MACHINE_START_ACTIONS, this.arn));
  }
}
