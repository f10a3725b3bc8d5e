import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { Token, type TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems, integerBetween } from '../lib/validators';
import { EVENTS_PUT_ACTIONS } from './perms';
import { allow, type Grantable } from './policy';
import { refuseProblems } from './prop-problems';

export interface EventBusProps {
  /** Bus name (1 to 256 of letters, digits, `.`, `-`, `_` and `/`; never starting with `aws.`). */
  readonly name: string;
  /** Customer managed key of the events on the bus; its policy must admit EventBridge (`grantToService('events', ...)`). */
  readonly kmsKeyArn: string;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

export interface EventRuleProps {
  /** Rule name (1 to 64 of letters, digits, `.`, `-` and `_`). */
  readonly name: string;
  readonly description: string;
  /** The event pattern, rendered as JSON, e.g. `{ source: ['acme.items'], 'detail-type': ['ItemChanged'] }`. */
  readonly eventPattern: Readonly<Record<string, unknown>>;
}

export interface EventTargetProps {
  /** Target id within the rule. */
  readonly targetId: string;
  /** ARN of the target (a state machine, a queue, a function). */
  readonly arn: string;
  /** Role EventBridge assumes to call the target (a state machine needs one); grant it the call. @default - none */
  readonly roleArn?: string;
  /** Queue for events EventBridge gives up on; its policy must admit the rule (`serviceSendStatement`). @default - none */
  readonly deadLetterQueueArn?: string;
  /** Seconds an undelivered event is retried (60 to 86400). @default 3600 */
  readonly maximumEventAgeSeconds?: number;
  /** Retries of an undelivered event (0 to 185). @default 5 */
  readonly maximumRetryAttempts?: number;
}

const NAME = /^[A-Za-z0-9._-]+$/;

/** Problems of the bus props that need no AWS, by prop name. https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html */
export function eventBusPropProblems(props: Partial<EventBusProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) {
    problems.check('name', awsName(props.name, { maxLength: 256, pattern: /^(?!aws\.)[A-Za-z0-9./_-]+$/, described: 'letters, digits, . - _ and /, not starting with aws.' }));
  }
  return problems.list;
}

/** Problems of a rule's props that need no AWS, by prop name. */
export function eventRulePropProblems(props: Partial<EventRuleProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) problems.check('name', awsName(props.name, { maxLength: 64, pattern: NAME, described: 'letters, digits, . - and _' }));
  if (props.eventPattern !== undefined && Object.keys(props.eventPattern).length === 0) problems.add('eventPattern', 'matches every event; name at least a source or detail-type');
  return problems.list;
}

/** Problems of a target's props that need no AWS, by prop name. */
export function eventTargetPropProblems(props: Partial<EventTargetProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.targetId !== undefined) problems.check('targetId', awsName(props.targetId, { maxLength: 64, pattern: NAME, described: 'letters, digits, . - and _' }));
  if (props.maximumEventAgeSeconds !== undefined) problems.check('maximumEventAgeSeconds', integerBetween(props.maximumEventAgeSeconds, 60, 86400, 'seconds'));
  if (props.maximumRetryAttempts !== undefined) problems.check('maximumRetryAttempts', integerBetween(props.maximumRetryAttempts, 0, 185));
  return problems.list;
}

/** A rule of an EventBus; targets are added with `addTarget`. */
export class EventRule {
  readonly rule: CloudwatchEventRule;
  readonly arn: string;

  constructor(private readonly scope: Construct, private readonly id: string, private readonly bus: EventBus, props: EventRuleProps) {
    refuseProblems(scope, id, eventRulePropProblems(props));
    this.rule = new CloudwatchEventRule(scope, id, {
      provider: bus.provider,
      name: props.name,
      description: props.description,
      eventBusName: bus.name,
      eventPattern: JSON.stringify(props.eventPattern),
      state: 'ENABLED',
    });
    this.arn = this.rule.arn;
  }

  /** A target of the rule, retried and dead-lettered; created in the rule's scope as `<rule id>-target`. */
  addTarget(props: EventTargetProps): CloudwatchEventTarget {
    const id = `${this.id}-target`;
    refuseProblems(this.scope, id, eventTargetPropProblems(props));
    return new CloudwatchEventTarget(this.scope, id, {
      provider: this.bus.provider,
      rule: this.rule.name,
      eventBusName: this.bus.name,
      targetId: props.targetId,
      arn: props.arn,
      roleArn: props.roleArn,
      deadLetterConfig: props.deadLetterQueueArn ? { arn: props.deadLetterQueueArn } : undefined,
      retryPolicy: { maximumEventAgeInSeconds: props.maximumEventAgeSeconds ?? 3600, maximumRetryAttempts: props.maximumRetryAttempts ?? 5 },
    });
  }
}

/**
 * A custom EventBridge bus encrypted with a customer managed key. Producers are granted `PutEvents` with
 * `grantPutEvents`; rules are added with `addRule`. Created directly in `scope` with the id given, rules with theirs
 * (flat Terraform addresses in a layer).
 */
export class EventBus {
  readonly bus: CloudwatchEventBus;
  readonly arn: string;
  readonly name: string;
  readonly provider?: TerraformProvider;

  constructor(private readonly scope: Construct, id: string, props: EventBusProps) {
    refuseProblems(scope, id, eventBusPropProblems(props));
    this.provider = props.provider;
    this.bus = new CloudwatchEventBus(scope, id, { provider: props.provider, name: props.name, kmsKeyIdentifier: props.kmsKeyArn });
    this.arn = this.bus.arn;
    this.name = this.bus.name;
  }

  /** Put events on the bus. */
  grantPutEvents(grantee: Grantable): void {
    grantee.addToPolicy(allow('PutEvents', EVENTS_PUT_ACTIONS, this.arn));
  }

  /** A rule on this bus, created in the bus's scope with the id given. */
  addRule(id: string, props: EventRuleProps): EventRule {
    return new EventRule(this.scope, id, this, props);
  }
}
