import { defineLayer } from '../../../lib/config';
import { Eks } from '../../../layers/eks';

// Add-on versions compatible with Kubernetes 1.31 (bump together with kubernetesVersion:
// `aws eks describe-addon-versions --kubernetes-version 1.31 --addon-name <name>`).
export default defineLayer(Eks, {
  kubernetesVersion: '1.31',
  addonVersions: {
    vpcCni: 'v1.19.2-eksbuild.1',
    coredns: 'v1.11.4-eksbuild.2',
    kubeProxy: 'v1.31.3-eksbuild.2',
    ebsCsiDriver: 'v1.38.1-eksbuild.2',
    podIdentityAgent: 'v1.3.4-eksbuild.1',
  },
  nodeGroups: [
    { name: 'on-demand', capacityType: 'ON_DEMAND', instanceTypes: ['t3.large'], minSize: 1, maxSize: 3, desiredSize: 1 },
    { name: 'spot', capacityType: 'SPOT', instanceTypes: ['t3.large', 't3a.large', 'm5.large'], minSize: 0, maxSize: 5, desiredSize: 1 },
  ],
  // Secrets and logs encrypted with the security layer's keys; its DevOps (admin) and ReadOnly (view) roles
  // get access entries.
  kmsKeySource: 'security-layer',
  logRetentionDays: 90,
});
