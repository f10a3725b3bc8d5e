/**
 * IAM policy documents as typed data rendered with JSON.stringify. Tokens (ARNs of resources in the same
 * stack) survive as Terraform interpolations, and no data source is needed, so plans stay offline.
 */

export type Principal = { readonly AWS: string | string[] } | { readonly Service: string | string[] } | { readonly Federated: string };

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Principal | '*';
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** Trust policy letting an AWS service assume a role, optionally pinned to the source account. */
export function serviceTrustPolicy(service: string, sourceAccountId?: string): string {
  return policyDocument([{
    Effect: 'Allow',
    Principal: { Service: service },
    Action: 'sts:AssumeRole',
    ...(sourceAccountId ? { Condition: { StringEquals: { 'aws:SourceAccount': sourceAccountId } } } : {}),
  }]);
}

/** The statement every bucket policy carries: refuse any request not made over TLS (FSBP S3.5). */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
