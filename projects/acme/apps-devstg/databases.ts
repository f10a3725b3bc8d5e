import { defineLayer } from '../../../lib/config';
import { Databases } from '../../../layers/databases';
import { eksContract } from '../../../layers/eks';
import { fargateContract } from '../../../layers/fargate';
import { fromLayer } from '../../../lib/layer-ref';

/** Development data stores: one instance each, 7-day backups, no deletion protection. */
export default defineLayer(Databases, {
  kmsKeySource: 'security-layer',
  // The EKS nodes and the Fargate services (read from those layers' state) and the private subnets of base-network
  // (10.30.0.0/16: private tier 10.30.0.0/19 .. 10.30.64.0/19) for the other private workloads.
  consumers: {
    securityGroups: [fromLayer(eksContract, 'node_security_group_id'), fromLayer(fargateContract, 'service_security_group_ids')],
    cidrBlocks: ['10.30.0.0/17'],
  },
  aurora: {
    engine: 'aurora-postgresql',
    databaseName: 'app',
    serverlessV2: { minCapacity: 0.5, maxCapacity: 4 },
    instanceCount: 1,
  },
  cache: { engine: 'valkey' },
  dynamodb: {
    tables: [
      { name: 'orders', partitionKey: { name: 'pk' }, sortKey: { name: 'sk' } },
      { name: 'sessions', partitionKey: { name: 'id' }, ttlAttribute: 'expires_at' },
    ],
    dax: {},
  },
});
