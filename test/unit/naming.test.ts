/**
 * Globally unique names (lib/naming.ts): S3 bucket names and Cognito domain prefixes are shared with every AWS
 * customer, so they carry the owning account's id; their limits are checked where the name is derived.
 */
import type { Construct } from 'constructs';
import { defineLayer } from '../../lib/config';
import { LayerStack } from '../../lib/layer-stack';
import type { LayerContext } from '../../lib/model';
import {
  backendBucketName, backendLogBucketName, globalNameProblem, globalResourceName, lockTableName, stateBucketArn,
} from '../../lib/naming';
import { account, build, source } from '../helpers';

describe('globalResourceName', () => {
  it('keeps the Leverage prefix readable and ends with the account id: <project>-<account>-<purpose>-<accountId>', () => {
    expect(globalResourceName('acme', 'apps-prd', '666666666666', 'cdn', 'origin')).toBe('acme-apps-prd-cdn-origin-666666666666');
    expect(globalResourceName('acme', 'apps-prd', '666666666666')).toBe('acme-apps-prd-666666666666');
  });

  it('names the state bucket with the account id and keeps the per-account lock table name', () => {
    expect(backendBucketName('acme', 'apps-prd', '666666666666')).toBe('acme-apps-prd-terraform-backend-666666666666');
    expect(backendLogBucketName('acme', 'apps-prd', '666666666666')).toBe('acme-apps-prd-terraform-backend-logs-666666666666');
    expect(stateBucketArn('acme', 'apps-prd', '666666666666')).toBe('arn:aws:s3:::acme-apps-prd-terraform-backend-666666666666');
    expect(lockTableName('acme', 'apps-prd')).toBe('acme-apps-prd-terraform-backend');
  });
});

describe('globalNameProblem', () => {
  it('accepts 3 to 63 lowercase letters, digits and hyphens for a bucket, and refuses what S3 refuses', () => {
    expect(globalNameProblem('s3-bucket', 'acme-apps-prd-cdn-origin-666666666666')).toBeUndefined();
    expect(globalNameProblem('s3-bucket', `a${'b'.repeat(62)}`)).toBeUndefined();
    expect(globalNameProblem('s3-bucket', `a${'b'.repeat(63)}`)).toMatch(/is 64 characters; S3 bucket names .* take 3 to 63/);
    expect(globalNameProblem('s3-bucket', 'ab')).toMatch(/is 2 characters/);
    expect(globalNameProblem('s3-bucket', 'Acme-x')).toMatch(/must be lowercase letters, digits and hyphens/);
    expect(globalNameProblem('s3-bucket', 'xn--acme-1')).toMatch(/starts with xn--, which S3 reserves/);
    expect(globalNameProblem('s3-bucket', 'sthree-acme-1')).toMatch(/starts with sthree-/);
    expect(globalNameProblem('s3-bucket', 'acme-x-s3alias')).toMatch(/ends with -s3alias/);
  });

  it('refuses a Cognito domain prefix with aws, amazon or cognito, or longer than 63', () => {
    expect(globalNameProblem('cognito-domain', 'acme-apps-prd-users-666666666666')).toBeUndefined();
    expect(globalNameProblem('cognito-domain', 'acme-cognito-1')).toMatch(/contains "cognito", which Cognito does not accept/);
    expect(globalNameProblem('cognito-domain', 'myaws-1')).toMatch(/contains "aws"/);
    expect(globalNameProblem('cognito-domain', `a${'b'.repeat(63)}`)).toMatch(/is 64 characters; Cognito hosted UI domain prefixes/);
  });
});

describe('validation of derived global names', () => {
  it('refuses an account whose state log bucket name would pass 63 characters, naming project, account and field', () => {
    // 12 + 1 + 17 + 1 + 22 + 1 + 12 = 66 characters: `verylongproj-finance-reporting-terraform-backend-logs-123456789012`
    const src = source({ 'finance-reporting': { config: account({ id: '123456789012' }) } }, { name: 'verylongproj' });
    expect(() => build(src)).toThrow(/verylongproj\/finance-reporting: name: state bucket name verylongproj-finance-reporting-terraform-backend-logs-123456789012 is 66 characters; S3 bucket names .* take 3 to 63/);
    // an account name of 14 characters makes it exactly 63
    expect(() => build(source({ 'finance-report': { config: account({ id: '123456789012' }) } }, { name: 'verylongproj' }))).not.toThrow();
  });

  it('reports a layer whose derived bucket name is too long as a problem of that layer, before anything is written', () => {
    class Named extends LayerStack {
      constructor(scope: Construct, ctx: LayerContext, config: { purpose: string }) {
        super(scope, ctx);
        this.globalName('s3-bucket', config.purpose);
      }
    }
    const src = (purpose: string) => source({ 'apps-prd': { config: account({ id: '666666666666' }), layers: { named: defineLayer(Named, { purpose }) } } });
    expect(() => build(src('a'.repeat(40)))).toThrow(new RegExp(`test/apps-prd/named: name \\(${'a'.repeat(40)}\\): test-apps-prd-${'a'.repeat(40)}-666666666666 is 67 characters`));
    expect(() => build(src('logs'))).not.toThrow();
  });
});
