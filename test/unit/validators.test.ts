import { defineLayer } from '../../lib/config';
import { isProduction } from '../../lib/environment';
import {
  arnOf, awsName, cidrBlock, cronExpression, emailAddress, FieldProblems, IAM_ROLE_OR_USER, integerBetween, knownAccount, logRetentionDays, oneOf,
} from '../../lib/validators';
import { Audit } from '../../layers/audit';
import { account, build, source } from '../helpers';

describe('shared validators', () => {
  it('accepts only the retentions CloudWatch Logs accepts, and a lower bound when given', () => {
    expect(logRetentionDays(365)).toBeUndefined();
    expect(logRetentionDays(3653)).toBeUndefined();
    expect(logRetentionDays(100)).toBe('100 is not a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)');
    expect(logRetentionDays(0)).toMatch(/^0 is not a CloudWatch Logs retention/);
    expect(logRetentionDays(90, { atLeast: 365, reason: 'CIS and most audits expect' })).toBe('90 is below the 365 days CIS and most audits expect');
  });

  it('checks whole numbers in a range, names, CIDRs, e-mails, cron expressions and choices', () => {
    expect(integerBetween(60, 60, 172800, 'seconds')).toBeUndefined();
    expect(integerBetween(1.5, 1, 6)).toBe('1.5 must be a whole number from 1 to 6');
    expect(awsName('acme-apps-devstg-dax1', { maxLength: 20 })).toBe('"acme-apps-devstg-dax1" is longer than the 20 characters AWS allows');
    expect(awsName('Bad Name', { maxLength: 40, pattern: /^[a-z-]+$/, described: 'lowercase letters and hyphens' })).toBe('"Bad Name" must be lowercase letters and hyphens');
    expect(cidrBlock('10.0.0.1/16')).toBe('"10.0.0.1/16" has host bits set; the network address is 10.0.0.0/16');
    expect(emailAddress('ops@acme.example.com')).toBeUndefined();
    expect(emailAddress('ops')).toBe('"ops" is not an e-mail address');
    expect(cronExpression('daily')).toBe('"daily" must be a six-field cron() expression');
    expect(oneOf('ALL', ['SELECT', 'DESCRIBE'])).toBe('"ALL" must be SELECT or DESCRIBE');
  });

  it('checks ARNs by service, resource type and account', () => {
    expect(arnOf('arn:aws:iam::777777777777:role/DataPlatformAdmin', IAM_ROLE_OR_USER)).toBeUndefined();
    expect(arnOf('arn:aws-us-gov:iam::777777777777:user/ci', IAM_ROLE_OR_USER)).toBeUndefined();
    expect(arnOf('arn:aws:iam::777777777777:root', IAM_ROLE_OR_USER)).toBe('"arn:aws:iam::777777777777:root" is not an IAM role or user ARN');
    expect(arnOf('arn:aws:iam:::role/x', IAM_ROLE_OR_USER)).toMatch(/is not an IAM role or user ARN/);
    expect(arnOf('*', IAM_ROLE_OR_USER)).toBe('"*" is not an IAM role or user ARN');
  });

  it('collects problems by field, nesting module problems under a prefix', () => {
    const problems = new FieldProblems()
      .check('a', undefined)
      .check('b', 'is wrong')
      .nest('cache', [{ field: 'nodeCount', message: '9 must be a whole number from 1 to 6' }]);
    expect(problems.list).toEqual([
      { field: 'b', message: 'is wrong' },
      { field: 'cache.nodeCount', message: '9 must be a whole number from 1 to 6' },
    ]);
  });

  it('names the known accounts when an account is unknown', () => {
    const org = { accounts: new Map([['shared', {}], ['apps-prd', {}]]) } as unknown as Parameters<typeof knownAccount>[0];
    expect(knownAccount(org, 'nope')).toBe('unknown account "nope" (known: shared, apps-prd)');
  });

  it('production is one definition for layers and the policy pack', () => {
    expect(isProduction({ environment: 'prd' })).toBe(true);
    expect(isProduction({ environment: 'production' })).toBe(true);
    expect(isProduction({ environment: 'devstg' })).toBe(false);
  });
});

describe('one rule per field across layers', () => {
  it('a log retention AWS refuses is refused at synth, naming project, account, layer and field', () => {
    const src = source({
      management: { config: account({ environment: 'management' }) },
      security: { config: account({ environment: 'security' }), layers: { audit: defineLayer(Audit, { logGroupRetentionDays: 500 }) } },
    });
    expect(() => build(src)).toThrow(/test\/security\/audit: logGroupRetentionDays: 500 is not a CloudWatch Logs retention \(1, 3, 5,/);
  });
});
