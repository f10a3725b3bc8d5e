/**
 * Secrets recognised by their value, anywhere in the configuration (environment maps, tags, descriptions, any field),
 * refused before anything is written and never echoed: messages show a masked value only.
 */
import * as fs from 'fs';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { ConfigError } from '../../lib/problems';
import { findSecret, maskSecret } from '../../lib/secret-values';
import { synth } from '../../lib/synth';
import { looksLikeSecret } from '../../lib/policy/model';
import { BaseNetwork } from '../../layers/base-network';
import { DeveloperPlatform } from '../../layers/developer-platform';
import { Fargate } from '../../layers/fargate';
import { Secrets } from '../../layers/secrets';
import { account, REAL, refusal, source, tempDir } from '../helpers';

// Shaped like real credentials, made up for these tests (they are the kind of value the check exists to catch).
const AWS_KEY_ID = ['AKIA', 'Z7QX2M4N6P8R0T1V'].join('');
const GITHUB_TOKEN = ['ghp_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'].join('');
const SLACK_TOKEN = ['xoxb-', '1234567890-0987654321-AbCdEfGhIjKl'].join('');
const PRIVATE_KEY = ['-----BEGIN RSA ', 'PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----'].join('');
const JWT = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJhZG1pbiJ9', 'c2lnbmF0dXJlX3ZhbHVl'].join('.');
const STRIPE = ['sk_live_', '4eC39HqLyjWDarjtT1zdp7dc'].join('');
const GITHUB_PAT = ['github_pat_', '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz'].join('');
const PASSWORD = 'hunter2-Pa55';
const DB_URL = `postgres://app:${PASSWORD}@db.internal:5432/app`;

const service = { name: 'api', image: 'public.ecr.aws/nginx/nginx:1.27', cpu: 256, memory: 512, port: 8080, desiredCount: 1 };

describe('secrets recognised by value', () => {
  it('recognises well-known credential shapes and URLs with a password, not their placeholders', () => {
    for (const secret of [AWS_KEY_ID, GITHUB_TOKEN, SLACK_TOKEN, PRIVATE_KEY, JWT, STRIPE, GITHUB_PAT, DB_URL, `ASIA${'Q'.repeat(16)}`]) {
      expect(findSecret(`value: ${secret}`)).toBeDefined();
    }
    for (const harmless of [
      'postgres://app:${DB_PASSWORD}@db.internal/app', 'postgres://app@db.internal/app', 'https://d-9067000abc.awsapps.com/start',
      'arn:aws:secretsmanager:us-east-1:111111111111:secret:api/database-AbCdEf', 'AKIA-style ids are checked', 'redis://:<password>@cache:6379',
    ]) {
      expect(findSecret(harmless)).toBeUndefined();
    }
    expect(maskSecret(AWS_KEY_ID)).toBe('AKIA…(20 characters)');
    // The policy pack flags the same values in synthesized environments, whatever the variable is called.
    expect(looksLikeSecret('CONFIG', DB_URL)).toBe(true);
    expect(looksLikeSecret('CONFIG', STRIPE)).toBe(true);
  });

  it('refuses a connection string with a password in a fargate environment map, masked, under the field', () => {
    const fargate = defineLayer(Fargate, { certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc', services: [{ ...service, environment: { DATABASE_URL: DB_URL } }] });
    const message = refusal(source({ 'apps-devstg': { layers: { fargate } } }));
    expect(message).toContain('test/apps-devstg/fargate: services[0].environment.DATABASE_URL: looks like a URL with a password (postgres://app:****@db.internal:5432)');
    expect(message).not.toContain(PASSWORD);
  });

  it('refuses tokens and keys in tags, descriptions and developer-platform environments, in disabled layer files too', () => {
    const message = refusal(source({
      shared: {
        config: account({ tags: { Deployer: AWS_KEY_ID } }),
        layers: {
          secrets: defineLayer(Secrets, { secrets: [{ name: 'a', description: `rotated by ${GITHUB_TOKEN}` }] }, { enabled: false }),
          'developer-platform': defineLayer(DeveloperPlatform, { certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc', backstage: { imageTag: '1', environment: { SIGNING: PRIVATE_KEY, SLACK: SLACK_TOKEN } } }, { enabled: false }),
        },
      },
    }, { tags: { Owner: JWT } }));
    expect(message).toContain('test: tags.Owner: looks like a JSON Web Token (eyJh…(62 characters))');
    expect(message).toContain('test/shared: tags.Deployer: looks like an AWS access key id (AKIA…(20 characters))');
    expect(message).toContain('test/shared/secrets: secrets[0].description: looks like a GitHub token (ghp_…(40 characters))');
    expect(message).toContain('test/shared/developer-platform: backstage.environment.SIGNING: looks like a private key');
    expect(message).toContain('test/shared/developer-platform: backstage.environment.SLACK: looks like a Slack token');
    for (const secret of [AWS_KEY_ID, GITHUB_TOKEN, JWT, SLACK_TOKEN, 'MIIEowIBAAKCAQEA']) expect(message).not.toContain(secret);
  });

  it('masks the secret in every message, also where a kind quotes the value it refuses', () => {
    const message = refusal(source({ 'apps-devstg': { layers: { 'base-network': defineLayer(BaseNetwork, { vpcCidr: GITHUB_TOKEN, natGateways: 'single' }) } } }));
    expect(message).toContain('base-network: vpcCidr: looks like a GitHub token (ghp_…(40 characters))');
    expect(message).toContain('base-network: vpcCidr: "ghp_…(40 characters)" is not an IPv4 CIDR block');
    expect(message).not.toContain(GITHUB_TOKEN);
  });

  it('writes nothing: no cdk.tf.json, no output folder left behind', () => {
    const projects = tempDir('secret-projects-');
    const outdir = path.join(tempDir('secret-out-'), 'cdktf.out');
    const lib = path.resolve(__dirname, '../../lib');
    const layers = path.resolve(__dirname, '../../layers');
    fs.mkdirSync(path.join(projects, 'p', 'apps'), { recursive: true });
    fs.writeFileSync(path.join(projects, 'p', 'project.ts'), `import { defineProject } from '${lib}/config';
export default defineProject({ name: 'pp', primaryRegion: 'us-east-1', availabilityZones: { 'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'] } });\n`);
    fs.writeFileSync(path.join(projects, 'p', 'apps', 'account.ts'), `import { defineAccount } from '${lib}/config';
export default defineAccount({ id: '123456789012', email: 'aws+apps@example.com', environment: 'devstg' });\n`);
    fs.writeFileSync(path.join(projects, 'p', 'apps', 'base-network.ts'), `import { defineLayer } from '${lib}/config';
import { BaseNetwork } from '${layers}/base-network';
export default defineLayer(BaseNetwork, { vpcCidr: '10.9.0.0/16', natGateways: 'single', interfaceEndpoints: ['${DB_URL}'] });\n`);
    let message = '';
    try {
      synth({ projectsDir: projects, mode: REAL, outdir });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('pp/apps/base-network: interfaceEndpoints[0]: looks like a URL with a password (postgres://app:****@db.internal:5432): ' +
      'secrets never go in config, where they would reach cdk.tf.json, plans and state; keep the value in Secrets Manager (a secrets layer and ' +
      'fromSecrets(...), or a secret ARN) and rotate this one');
    expect(message).not.toContain(PASSWORD);
    expect(fs.existsSync(outdir)).toBe(false);
  });
});
