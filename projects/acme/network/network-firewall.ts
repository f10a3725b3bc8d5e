import { defineLayer } from '../../../lib/config';
import { NetworkFirewall } from '../../../layers/network-firewall';

/**
 * The inspection VPC behind the hub: traffic between routing domains passes through AWS Network Firewall (and is
 * logged), and VPCs that send their internet traffic to the hub (data-science) reach only these domains over HTTPS
 * and HTTP. Logs stay in this account's encrypted log groups (docs/network-access.md explains why not the archive).
 */
export default defineLayer(NetworkFirewall, {
  vpcCidr: '10.21.0.0/24',
  allowedDomains: [
    // AWS APIs without an interface endpoint in the VPC.
    '.amazonaws.com',
    // Python packages for the data science notebooks and jobs.
    'pypi.org',
    'files.pythonhosted.org',
    // Source code and release downloads.
    'github.com',
    '.githubusercontent.com',
  ],
});
