import { defineLayer } from '../../../lib/config';
import { clientVpnContract } from '../../../layers/client-vpn';
import { Eks } from '../../../layers/eks';
import { fromLayer } from '../../../lib/layer-ref';

// Kubernetes 1.35: in EKS standard support until 2027-03-27 (release calendar in lib/versions.ts; synth refuses a
// version past standard support and the policy pack warns 90 days before). Add-on versions: the eksbuild versions EKS
// publishes for 1.35 (`aws eks describe-addon-versions --kubernetes-version 1.35 --addon-name <name>`), taken from
// public EKS 1.35 configurations of 2026-09/10 that pin them (this repository cannot call AWS). Re-run that command
// before applying; bump them together with kubernetesVersion, devstg first (docs/workloads.md "Upgrading Kubernetes").
export default defineLayer(Eks, {
  kubernetesVersion: '1.35',
  addonVersions: {
    vpcCni: 'v1.22.4-eksbuild.3',
    coredns: 'v1.13.2-eksbuild.11',
    kubeProxy: 'v1.35.3-eksbuild.18',
    ebsCsiDriver: 'v1.64.0-eksbuild.1',
    podIdentityAgent: 'v1.3.10-eksbuild.3',
  },
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
