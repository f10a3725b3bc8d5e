import * as fs from 'fs';
import * as path from 'path';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretRotation } from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation';
import { TerraformStack, Testing } from 'cdktf';
import { defineLayer } from '../../lib/config';
import { ManagedSecret, managedSecretPropProblems } from '../../modules/managed-secret';
import { readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { checkStack } from '../../lib/policy';
import { BaseNetwork } from '../../layers/base-network';
import { Fargate } from '../../layers/fargate';
import { fromSecrets, Secrets, type SecretsConfig } from '../../layers/secrets';
import { Security } from '../../layers/security';
import { account, build, parsed, REAL, resources, source, synthStack } from '../helpers';

const SECRETS: SecretsConfig = {
  secrets: [
    { name: 'api/database', description: 'Connection URL of the api service; put by the platform team' },
    { name: 'partner/token', description: 'Token of a partner API; put by its owner', readers: ['arn:aws:iam::666666666666:role/break-glass'] },
  ],
};
const API = { name: 'api', image: 'public.ecr.aws/nginx/nginx:1', cpu: 256, memory: 512, port: 8080, desiredCount: 1 };

function src(config: Partial<SecretsConfig> = {}, options: { environment?: string; security?: boolean; fargate?: boolean } = {}) {
  return source({
    'apps-prd': {
      config: account({ id: '666666666666', environment: options.environment ?? 'prd' }),
      layers: {
        ...(options.security ?? true ? { security: defineLayer(Security, { identityAccount: 'apps-prd' }) } : {}),
        ...(options.fargate ?? true
          ? {
              'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.40.0.0/16', natGateways: 'single' }),
              fargate: defineLayer(Fargate, {
                certificateArn: 'arn:aws:acm:us-east-1:666666666666:certificate/11111111-2222-3333-4444-555555555555',
                services: [{ ...API, secrets: { DATABASE_URL: fromSecrets('api/database') } }],
              }),
            }
          : {}),
        secrets: defineLayer(Secrets, { ...SECRETS, ...config }),
      },
    },
  });
}
const synth = (config: Partial<SecretsConfig> = {}, options: Parameters<typeof src>[1] = {}) => synthStack(src(config, options), 'test-apps-prd-secrets');
const policyOf = (tf: string, i: number) => JSON.parse(resources(tf, 'aws_secretsmanager_secret_policy')[i].policy as string);
function refusal(config: Partial<SecretsConfig>, options: Parameters<typeof src>[1] = {}): string {
  try {
    build(src(config, options));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('secrets', () => {
  it('creates each secret without a value, encrypted with the security layer secrets key, protected from destroy', () => {
    const tf = synth();
    expect(resources(tf, 'aws_secretsmanager_secret').map((s) => s.name)).toEqual(['test/apps-prd/api/database', 'test/apps-prd/partner/token']);
    expect(tf).toHaveResourceWithProperties(SecretsmanagerSecret, {
      kms_key_id: '${data.terraform_remote_state.remote-apps-prd-security.outputs.secrets_kms_key_arn}',
      recovery_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    // No value anywhere: no secret version resource, no secret_string in the configuration (so none in state).
    expect(resources(tf, 'aws_secretsmanager_secret_version')).toEqual([]);
    expect(tf).not.toMatch(/secret_string|secret_binary/);
    expect(resources(synth({}, { environment: 'devstg' }), 'aws_secretsmanager_secret')[0].recovery_window_in_days).toBe(7);
  });

  it('lets only the readers read a value: the roles of the layers referencing it, and the listed ones', () => {
    const tf = synth();
    for (const p of resources(tf, 'aws_secretsmanager_secret_policy')) expect(p.block_public_policy).toBe(true);
    expect(resources(tf, 'aws_secretsmanager_secret_policy')[0].secret_arn).toMatch(/^\$\{aws_secretsmanager_secret\.secret-0_secret_.*\.arn\}$/);
    const [deny] = policyOf(tf, 0).Statement;
    expect(deny).toEqual({
      Sid: 'OnlyReadersReadTheValue',
      Effect: 'Deny',
      Principal: '*',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: '*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::666666666666:role/test-apps-prd-fargate-api-execution'] } },
    });
    expect(policyOf(tf, 1).Statement[0].Condition.ArnNotLike['aws:PrincipalArn']).toEqual(['arn:aws:iam::666666666666:role/break-glass']);
    // The policy grants nothing (so no principal has to exist yet); it only denies everybody else.
    expect(policyOf(tf, 0).Statement.every((s: { Effect: string }) => s.Effect === 'Deny')).toBe(true);
  });

  it('publishes names, ARNs and the key in config order for fromSecrets(...)', () => {
    const out = parsed(synth()).output!;
    expect(out.secret_names.value).toEqual(['test/apps-prd/api/database', 'test/apps-prd/partner/token']);
    expect(out.secret_arns.value).toEqual([
      expect.stringMatching(/aws_secretsmanager_secret\.secret-0_secret_.*\.arn/), expect.stringMatching(/aws_secretsmanager_secret\.secret-1_secret_.*\.arn/),
    ]);
    expect(out.kms_key_arn.value).toBe('${data.terraform_remote_state.remote-apps-prd-security.outputs.secrets_kms_key_arn}');
  });

  it('creates its own rotating key without a security layer', () => {
    const tf = synth({}, { security: false });
    const [key] = resources(tf, 'aws_kms_key');
    expect(key).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    expect(resources(tf, 'aws_secretsmanager_secret')[0].kms_key_id).toMatch(/^\$\{aws_kms_key\./);
  });

  it('rotates on a schedule with a rotation function it may invoke, whose role is a reader', () => {
    const rotation = { functionArn: 'arn:aws:lambda:us-east-1:666666666666:function:rotate', functionRoleArn: 'arn:aws:iam::666666666666:role/rotate', schedule: 'rate(7 days)' };
    const tf = synth({ secrets: [{ ...SECRETS.secrets[0], rotation }] });
    expect(tf).toHaveResourceWithProperties(SecretsmanagerSecretRotation, {
      rotation_lambda_arn: rotation.functionArn,
      rotation_rules: { schedule_expression: 'rate(7 days)' },
      rotate_immediately: false,
    });
    expect(resources(tf, 'aws_lambda_permission')[0]).toMatchObject({
      action: 'lambda:InvokeFunction', principal: 'secretsmanager.amazonaws.com', function_name: rotation.functionArn,
      source_arn: expect.stringMatching(/aws_secretsmanager_secret\..*\.arn/),
    });
    expect(policyOf(tf, 0).Statement[0].Condition.ArnNotLike['aws:PrincipalArn']).toEqual(['arn:aws:iam::666666666666:role/test-apps-prd-fargate-api-execution', rotation.functionRoleArn]);
    expect(resources(synth(), 'aws_secretsmanager_secret_rotation')).toEqual([]);
  });

  it('refuses bad names, descriptions, readers and schedules, and a secret nobody could read', () => {
    const message = refusal({
      secrets: [
        { name: '/leading', description: 'x' },
        { name: 'db-AbCdEf', description: 'x' },
        { name: 'dup', description: '', readers: ['arn:aws:iam::666666666666:user/alice'] },
        { name: 'dup', description: 'x', readers: ['arn:aws:iam::666666666666:role/x'], rotation: { functionArn: 'f', functionRoleArn: 'r', schedule: 'weekly' } },
      ],
      recoveryWindowDays: 3,
    }, { fargate: false });
    expect(message).toContain('test/apps-prd/secrets: secrets[0].name: "/leading" must not start or end with /');
    // The name, reader and schedule rules are the ManagedSecret module's (managedSecretPropProblems), on the full name.
    expect(message).toContain('secrets[1].name: "test/apps-prd/db-AbCdEf" ends with a hyphen and six characters');
    expect(message).toContain('secrets[2].description: must say what the value is and who sets it');
    expect(message).toContain('secrets[2].readers[0]: "arn:aws:iam::666666666666:user/alice" is not an IAM role ARN');
    expect(message).toContain('secrets[3].name: "dup" is declared twice');
    expect(message).toContain('secrets[3].rotation.schedule: "weekly" must be rate(<n> days|hours) or cron(...)');
    expect(message).toContain('recoveryWindowDays: 3 must be a whole number from 7 to 30 days');
    expect(message).toContain('secrets[0].readers: no layer of apps-prd reads "/leading" with fromSecrets(...) and no reader is listed: nobody could read it');
    // Reported once, by the layer (with what to do), not again by the module.
    expect(message.match(/secrets\[0\]\.readers/g)).toHaveLength(1);
    expect(refusal({ secrets: [{ name: 'bad name', description: 'x', readers: ['arn:aws:iam::666666666666:role/x'] }] }, { fargate: false }))
      .toContain('secrets[0].name: "test/apps-prd/bad name" must be letters, digits and /_+=.@-');
    expect(refusal({ secrets: [] })).toContain('secrets: declares no secret');
  });

  it('protect: false lets the secrets and the own key be destroyed; the old name preventDestroy is refused', () => {
    const tf = synth({ protect: false }, { security: false });
    expect(resources(tf, 'aws_secretsmanager_secret').map((s) => s.lifecycle)).toEqual([{ prevent_destroy: false }, { prevent_destroy: false }]);
    expect(resources(tf, 'aws_kms_key')[0].lifecycle).toEqual({ prevent_destroy: false });
    expect(refusal({ preventDestroy: false } as unknown as Partial<SecretsConfig>)).toContain('test/apps-prd/secrets: preventDestroy: was renamed to protect');
  });

  it('the ManagedSecret module refuses a secret nobody reads, next to the resource, outside any layer', () => {
    const stack = new TerraformStack(Testing.app(), 'bare');
    expect(() => new ManagedSecret(stack, 'orphan', { name: 'a/b', description: 'x', kmsKeyArn: 'arn:aws:kms:us-east-1:666666666666:key/x', readers: [] }))
      .toThrow(/orphan: readers: names nobody: a secret needs at least one reader \(or a rotation function\)/);
    expect(managedSecretPropProblems({ readers: [], rotation: { functionRoleArn: 'arn:aws:iam::666666666666:role/rotate' } })).toEqual([]);
  });

  it('the ManagedSecret module holds the Secrets Manager limits the secrets layer nests: rotation 4-23 hours or 1-1000 days, description 2048', () => {
    expect(managedSecretPropProblems({ rotation: { schedule: 'rate(24 hours)' } }))
      .toEqual([{ field: 'rotation.schedule', message: '"rate(24 hours)" must be every 4 to 23 hours or every 1 to 1000 days' }]);
    expect(managedSecretPropProblems({ rotation: { schedule: 'rate(1001 days)' } })).toHaveLength(1);
    expect(managedSecretPropProblems({ rotation: { schedule: 'rate(4 hours)' } })).toEqual([]);
    expect(managedSecretPropProblems({ rotation: { schedule: 'cron(0 3 ? * SUN *)' } })).toEqual([]);
    expect(managedSecretPropProblems({ description: 'd'.repeat(2049) })).toEqual([{ field: 'description', message: 'is 2049 characters; Secrets Manager accepts 2048' }]);
    const stack = new TerraformStack(Testing.app(), 'bare');
    expect(() => new ManagedSecret(stack, 'fast', {
      name: 'a/b', description: 'x', kmsKeyArn: 'arn:aws:kms:us-east-1:666666666666:key/x', readers: ['arn:aws:iam::666666666666:role/app'],
      rotation: { schedule: 'rate(2 hours)', functionArn: 'arn:aws:lambda:us-east-1:666666666666:function:rotate', functionRoleArn: 'arn:aws:iam::666666666666:role/rotate' },
    })).toThrow(/fast: rotation\.schedule: "rate\(2 hours\)" must be every 4 to 23 hours/);
  });

  it('passes the policy pack Secrets Manager rules (POL-SM-001 customer key, POL-SM-002 resource policy)', () => {
    const stack = build(src()).stacks.get('test-apps-prd-secrets')!;
    expect(checkStack(stack).findings.filter((f) => f.ruleId.startsWith('POL-SM-'))).toEqual([]);
  });

  it('is enabled in apps-devstg, apps-prd and shared of the example organisation, and no config there pastes an ARN', () => {
    const dir = path.join(__dirname, '../../projects/acme');
    const org = resolveOrganisation(readProjectFolder(dir), REAL);
    for (const name of ['apps-devstg', 'apps-prd', 'shared']) expect(org.accounts.get(name)?.layers.get('secrets')?.enabled).toBe(true);
    const pasted: string[] = [];
    for (const accountDir of fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const file of fs.readdirSync(path.join(dir, accountDir.name))) {
        const text = fs.readFileSync(path.join(dir, accountDir.name, file), 'utf8');
        if (/:certificate\/|:secret:/.test(text)) pasted.push(`${accountDir.name}/${file}`);
      }
    }
    expect(pasted).toEqual([]);
  });
});
