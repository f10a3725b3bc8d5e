import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import type { TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { FieldProblems, integerBetween, oneOf, positiveInteger } from '../lib/validators';
import type { IKey } from './kms-key';
import { KINESIS_READ_ACTIONS, KINESIS_WRITE_ACTIONS } from './perms';
import { allow, type Grantable } from './policy';

export type StreamMode = 'ON_DEMAND' | 'PROVISIONED';

export interface DataStreamProps {
  readonly name: string;
  /** Customer managed key encrypting records at rest (CKV_AWS_43); producers and consumers are granted use of it. */
  readonly kmsKey: IKey;
  /** @default 'ON_DEMAND' */
  readonly mode?: StreamMode;
  /** Shards, PROVISIONED only. @default 1 */
  readonly shardCount?: number;
  /** Hours records are kept, 24 to 8760 (365 days). @default 24 */
  readonly retentionHours?: number;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** Problems of the props that need no AWS, by prop name. */
export function dataStreamPropProblems(props: Partial<DataStreamProps>): FieldProblem[] {
  const problems = new FieldProblems();
  const mode = props.mode ?? 'ON_DEMAND';
  problems.check('mode', oneOf<StreamMode>(mode, ['ON_DEMAND', 'PROVISIONED']));
  if (props.shardCount !== undefined) {
    if (mode !== 'PROVISIONED') problems.add('shardCount', 'is only valid with mode PROVISIONED');
    problems.check('shardCount', positiveInteger(props.shardCount));
  }
  problems.check('retentionHours', integerBetween(props.retentionHours ?? 24, 24, 8760, 'hours'));
  return problems.list;
}

/**
 * A Kinesis data stream encrypted with a customer managed key, on-demand by default. Created in `scope` with the id
 * given (its Terraform address in a layer).
 */
export class DataStream {
  readonly stream: KinesisStream;
  readonly arn: string;
  readonly name: string;
  readonly encryptionKey: IKey;

  constructor(scope: Construct, id: string, props: DataStreamProps) {
    const mode = props.mode ?? 'ON_DEMAND';
    this.encryptionKey = props.kmsKey;
    this.stream = new KinesisStream(scope, id, {
      provider: props.provider,
      name: props.name,
      encryptionType: 'KMS',
      kmsKeyId: props.kmsKey.arn,
      retentionPeriod: props.retentionHours ?? 24,
      streamModeDetails: { streamMode: mode },
      shardCount: mode === 'PROVISIONED' ? props.shardCount ?? 1 : undefined,
    });
    this.arn = this.stream.arn;
    this.name = this.stream.name;
  }

  /** Read records (a consumer such as Firehose), decrypting them with the stream's key. */
  grantRead(grantee: Grantable): void {
    grantee.addToPolicy(allow('KinesisRead', KINESIS_READ_ACTIONS, this.arn));
    this.encryptionKey.grantDecrypt(grantee);
  }

  /** Put records (a producer), encrypting them with the stream's key. */
  grantWrite(grantee: Grantable): void {
    grantee.addToPolicy(allow('KinesisWrite', KINESIS_WRITE_ACTIONS, this.arn));
    this.encryptionKey.grantEncryptDecrypt(grantee);
  }
}
