import { defineLayer } from '../../../lib/config';
import { ClientVpn, PENDING_SAML_METADATA } from '../../../layers/client-vpn';

/**
 * People reach private EKS endpoints, databases and internal load balancers through AWS Client VPN, signing in with
 * IAM Identity Center. The metadata of the Identity Center application comes only from its console, and acme has no
 * Identity Center to download it from: it is pending, so the sandbox plans the endpoint with an offline document and a
 * real synth leaves the endpoint out until the file is committed here and named in metadataFile
 * (docs/network-access.md, "Client VPN: first rollout").
 */
export default defineLayer(ClientVpn, {
  clientCidr: '172.16.0.0/22',
  saml: { metadataFile: PENDING_SAML_METADATA },
  serverCertificate: { subdomain: 'vpn' },
  access: [
    { account: 'apps-devstg', groups: ['devops', 'developers'] },
    { account: 'apps-prd', groups: ['devops'] },
    { account: 'data-science', groups: ['devops', 'developers'] },
    { account: 'shared', groups: ['devops'] },
  ],
});
