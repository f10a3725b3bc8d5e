import { defineProject } from '../../lib/config';

/** The worked example: a Leverage-style organisation called acme. Copy this folder to start your own. */
export default defineProject({
  name: 'acme',
  primaryRegion: 'us-east-1',
  drRegion: 'us-west-2',
  availabilityZones: {
    'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    'us-west-2': ['us-west-2a', 'us-west-2b', 'us-west-2c'],
  },
  deployRoleName: 'DevOps',
  // People sign in here (make sso-config writes their AWS CLI profiles); MFA is enforced by Identity Center.
  identityCenter: { startUrl: 'https://d-9067000abc.awsapps.com/start', region: 'us-east-1' },
  // The only repository whose GitHub Actions may plan and apply (the roles and .github/workflows/layers.yml derive from it).
  ci: { githubRepository: 'acme/infrastructure' },
  tags: { Owner: 'platform-team', CostCenter: 'platform' },
  accountOrder: ['management', 'security', 'shared', 'network', 'apps-devstg', 'apps-prd', 'data-science'],
});
