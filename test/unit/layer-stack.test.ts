import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest can only spy on the module object itself, not on an import namespace
import childProcess = require('child_process');
import { DataTerraformRemoteStateS3 } from 'cdktf';
import { defineLayer } from '../../lib/config';
import { featureVersionProblem, TERRAFORM_REQUIRED_VERSION } from '../../lib/terraform-version';
import { BaseNetwork } from '../../layers/base-network';
import { Consumer } from '../fixtures/layers';
import { account, build, parsed, REAL, SANDBOX, source, synthStack } from '../helpers';

const org = () => source({
  network: { config: account({ id: '444444444444', environment: 'network' }), layers: { 'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.2.0.0/16', natGateways: 'none' }) } },
  'apps-prd': { config: account({ id: '666666666666', environment: 'prd' }), layers: { app: defineLayer(Consumer, { networkAccount: 'network' }) } },
}, { tags: { CostCenter: 'platform' } });

describe('backend', () => {
  it('keeps each layer state in its account bucket at <account>/<layer>/terraform.tfstate, encrypted, locked, through the deploy role', () => {
    const tf = parsed(synthStack(org(), 'test-apps-prd-app'));
    expect(tf.terraform.backend).toEqual({
      s3: {
        bucket: 'test-apps-prd-terraform-backend-666666666666',
        key: 'apps-prd/app/terraform.tfstate',
        region: 'us-east-1',
        encrypt: true,
        dynamodb_table: 'test-apps-prd-terraform-backend',
        assume_role: { role_arn: 'arn:aws:iam::666666666666:role/DevOps' },
      },
    });
  });

  it('points at the sandbox endpoints with its dummy keys in sandbox mode, without assume_role', () => {
    const backend = parsed(synthStack(org(), 'test-apps-prd-app', SANDBOX)).terraform.backend!.s3;
    expect(backend).toMatchObject({
      key: 'apps-prd/app/terraform.tfstate',
      endpoints: { s3: 'http://127.0.0.1:4569', dynamodb: 'http://127.0.0.1:4567' },
      use_path_style: true,
      skip_credentials_validation: true,
    });
    expect(backend.assume_role).toBeUndefined();
  });

  it('uses local state under the bootstrap folder only for the backend layer in bootstrap mode', () => {
    const src = source({ a: { layers: { 'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.2.0.0/16', natGateways: 'none' }) } } });
    const { stacks } = build(src, { ...REAL, bootstrap: true });
    expect(stacks.size).toBe(0); // only base-tf-backend stacks are built when bootstrapping
  });
});

describe('provider', () => {
  it('can only touch its own account: allowed_account_ids and the deploy role of that account', () => {
    const [provider] = parsed(synthStack(org(), 'test-apps-prd-app')).provider.aws;
    expect(provider).toMatchObject({
      region: 'us-east-1',
      allowed_account_ids: ['666666666666'],
      assume_role: [{ role_arn: 'arn:aws:iam::666666666666:role/DevOps', session_name: 'test-app' }],
    });
    expect(provider.access_key).toBeUndefined();
    expect(provider.skip_credentials_validation).toBeUndefined();
  });

  it('tags every resource through default_tags', () => {
    const [provider] = parsed(synthStack(org(), 'test-apps-prd-app')).provider.aws;
    expect(provider.default_tags).toEqual([{
      tags: { Project: 'test', Account: 'apps-prd', Environment: 'prd', Layer: 'app', ManagedBy: 'cdktf', CostCenter: 'platform' },
    }]);
  });

  it('drops assume_role and allowed_account_ids (both call STS) and skips AWS checks in the sandbox', () => {
    const [provider] = parsed(synthStack(org(), 'test-apps-prd-app', SANDBOX)).provider.aws;
    expect(provider.assume_role).toBeUndefined();
    expect(provider.allowed_account_ids).toBeUndefined();
    expect(provider).toMatchObject({
      access_key: 'sandbox',
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: 'true',
      skip_region_validation: true,
    });
  });

  it('uses the account override of the deploy role', () => {
    const src = source({ mgmt: { config: account({ deployRoleName: 'Administrator' }), layers: { 'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.2.0.0/16', natGateways: 'none' }) } } });
    const [provider] = parsed(synthStack(src, 'test-mgmt-base-network')).provider.aws;
    expect((provider.assume_role as { role_arn: string }[])[0].role_arn).toMatch(/:role\/Administrator$/);
  });
});

describe('typed remote state', () => {
  it('reads the producer state from the producer account bucket and key through its state-reader role', () => {
    const tf = parsed(synthStack(org(), 'test-apps-prd-app'));
    expect(tf.data!.terraform_remote_state['remote-network-base-network']).toEqual({
      backend: 's3',
      config: {
        bucket: 'test-network-terraform-backend-444444444444',
        key: 'network/base-network/terraform.tfstate',
        region: 'us-east-1',
        encrypt: true,
        assume_role: { role_arn: 'arn:aws:iam::444444444444:role/TerraformStateReader' },
      },
    });
  });

  it('reads outputs by their published names, lists as lists', () => {
    const json = synthStack(org(), 'test-apps-prd-app');
    const params = parsed(json).resource.aws_ssm_parameter;
    expect(params.vpc.value).toBe('${data.terraform_remote_state.remote-network-base-network.outputs.vpc_id}');
    expect(params.subnets.value).toContain('data.terraform_remote_state.remote-network-base-network.outputs.private_subnet_ids');
  });

  it('records the read as a dependency edge of the layer graph', () => {
    const { stacks } = build(org());
    const consumer = stacks.get('test-apps-prd-app')!;
    expect([...consumer.reads.values()].map((r) => ({ account: r.account, layer: r.layer, outputs: [...r.outputs].sort() })))
      .toEqual([{ account: 'network', layer: 'base-network', outputs: ['private_subnet_ids', 'vpc_id'] }]);
  });

  it('publishes plain outputs with readable names', () => {
    const tf = parsed(synthStack(org(), 'test-network-base-network'));
    expect(Object.keys(tf.output!)).toEqual(expect.arrayContaining(['vpc_id', 'private_subnet_ids', 'database_subnet_group_name']));
    expect(tf.output!.vpc_id.sensitive).toBeUndefined();
  });

  it('makes reading an output the contract lacks a compile error', () => {
    // The @ts-expect-error lines fail `tsc --noEmit` (part of the test command) if the reads ever type-check.
    const check = (state: import('../../lib/contract').RemoteOutputs<import('../../lib/contract').OutputsOf<typeof import('../../layers/base-network').baseNetworkContract>>) => {
      // @ts-expect-error vpc_idd is not published by base-network
      state.get('vpc_idd');
      // @ts-expect-error subnet ids are a list, not a string
      const wrong: string = state.get('private_subnet_ids');
      return wrong;
    };
    expect(typeof check).toBe('function');
    expect(DataTerraformRemoteStateS3).toBeDefined();
  });
});

describe('Terraform version', () => {
  it('every stack requires the Terraform range the project supports, which Terraform enforces where it runs', () => {
    const tf = parsed(synthStack(org(), 'test-apps-prd-app')).terraform as { required_version?: string };
    expect(tf.required_version).toBe(TERRAFORM_REQUIRED_VERSION);
  });

  it("answers cdktf's import-block version check from that range, without running terraform", () => {
    const stack = build(org()).stacks.get('test-apps-prd-app')!;
    new S3Bucket(stack, 'adopted', { bucket: 'adopted' }).importFrom('adopted');
    const execSync = jest.spyOn(childProcess, 'execSync');
    try {
      expect(() => stack.runAllValidations()).not.toThrow();
      expect(execSync).not.toHaveBeenCalled();
    } finally {
      execSync.mockRestore();
    }
  });

  it('refuses a feature that needs a newer Terraform than the range allows, and leaves other constraint forms to cdktf', () => {
    expect(featureVersionProblem('>=1.5')).toBeUndefined();
    expect(featureVersionProblem('>= 1.11.0')).toBeUndefined();
    expect(featureVersionProblem('>=1.12', 'Upgrade.')).toBe(`the stacks allow Terraform ${TERRAFORM_REQUIRED_VERSION} (lib/terraform-version.ts), and this construct needs >=1.12. Upgrade.`);
    expect(featureVersionProblem('>=2.0')).toMatch(/needs >=2.0/);
    expect(featureVersionProblem('~> 1.5')).toBeNull();
  });
});
