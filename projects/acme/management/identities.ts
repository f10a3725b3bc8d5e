import { defineLayer } from '../../../lib/config';
import { Identities } from '../../../layers/identities';

const everyAccount = ['management', 'security', 'shared', 'network', 'apps-devstg', 'apps-prd', 'data-science'];

/** Identity Center of acme. The instance ARN and identity store id are read once from the console. */
export default defineLayer(Identities, {
  instanceArn: 'arn:aws:sso:::instance/ssoins-72230000a1b2c3d4',
  identityStoreId: 'd-9067000abc',
  groups: {
    administrators: 'Break-glass administrators (two people)',
    devops: 'Platform engineers',
    developers: 'Application developers',
    security: 'Security team',
    finops: 'Finance and cost owners',
  },
  assignments: Object.fromEntries(everyAccount.map((account) => [account, {
    administrators: ['Administrator'],
    // Developers operate the non-production workloads; production is read-only for them.
    ...(account === 'apps-devstg' || account === 'data-science'
      ? { devops: ['DevOps'], developers: ['DevOps'] }
      : { devops: ['DevOps'], developers: ['ReadOnly'] }),
    security: ['SecurityAuditor', 'ReadOnly'],
    ...(account === 'management' ? { finops: ['FinOps'] } : {}),
  }])),
});
