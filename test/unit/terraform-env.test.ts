/**
 * The environment terraform and its provider plugins run with (scripts/lib/terraform.ts terraformEnv): the runner's
 * garbage-collector target unless the user set one (docs/benchmarks.md, "First plans", measures it).
 */
import { TERRAFORM_GOGC, terraformEnv } from '../../scripts/lib/terraform';

describe('terraformEnv', () => {
  const saved = process.env.GOGC;
  afterEach(() => {
    if (saved === undefined) delete process.env.GOGC;
    else process.env.GOGC = saved;
  });

  it('sets GOGC for terraform and its providers, and keeps one the user set', () => {
    delete process.env.GOGC;
    expect(TERRAFORM_GOGC).toBe('200');
    expect(terraformEnv().GOGC).toBe('200');
    process.env.GOGC = '100';
    expect(terraformEnv().GOGC).toBe('100');
    expect(terraformEnv({ GOGC: 'off' }).GOGC).toBe('off');
  });

  it('never prompts and never calls HashiCorp\'s checkpoint service', () => {
    expect(terraformEnv()).toMatchObject({ CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' });
  });
});
