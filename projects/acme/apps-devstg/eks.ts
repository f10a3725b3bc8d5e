import { defineLayer } from '../../../lib/config';
import { clientVpnContract } from '../../../layers/client-vpn';
import { Eks } from '../../../layers/eks';
import { fromLayer } from '../../../lib/layer-ref';

// Kubernetes 1.35: in EKS standard support until 2027-03-27 (release calendar in lib/versions.ts; synth refuses a
// version past standard support and the policy pack warns 90 days before). The add-ons (vpc-cni, kube-proxy, the Pod
// Identity agent, coredns, EBS CSI, metrics-server, external-dns, cert-manager) run the versions lib/versions.ts pins for
// 1.35 (EKS_ADDON_VERSIONS): bumping kubernetesVersion moves them together, devstg first (docs/workloads.md "Upgrading
// Kubernetes"). external-dns and cert-manager's DNS-01 solver may change only this account's zone (the dns-zone layer).
export default defineLayer(Eks, {
  kubernetesVersion: '1.35',
  nodeGroups: [
    { name: 'on-demand', capacityType: 'ON_DEMAND', instanceTypes: ['t3.large'], minSize: 1, maxSize: 3, desiredSize: 1 },
    { name: 'spot', capacityType: 'SPOT', instanceTypes: ['t3.large', 't3a.large', 'm5.large'], minSize: 0, maxSize: 5, desiredSize: 1 },
  ],
  // Secrets and logs encrypted with the security layer's keys; its DevOps (admin) and ReadOnly (view) roles
  // get access entries.
  kmsKeySource: 'security-layer',
  // The API endpoint is private: people reach it through the client VPN (its interfaces' subnets in the network account).
  endpointAccessCidrs: [fromLayer(clientVpnContract, 'source_cidr_blocks', { account: 'network' })],
  logRetentionDays: 90,
});
