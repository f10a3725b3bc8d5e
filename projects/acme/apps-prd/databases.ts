import { defineLayer } from '../../../lib/config';
import { Databases } from '../../../layers/databases';
import { eksContract } from '../../../layers/eks';
import { fargateContract } from '../../../layers/fargate';
import { fromLayer } from '../../../lib/layer-ref';

/** Production data stores: multi-AZ, 35-day backups, deletion protection, final snapshots, prevent_destroy. */
export default defineLayer(Databases, {
  kmsKeySource: 'security-layer',
  // The EKS nodes and the Fargate services (read from those layers' state) and the private subnets of base-network
  // (10.40.0.0/16: private tier 10.40.0.0/19 .. 10.40.64.0/19) for the other private workloads.
  consumers: {
    securityGroups: [fromLayer(eksContract, 'node_security_group_id'), fromLayer(fargateContract, 'service_security_group_ids')],
    cidrBlocks: ['10.40.0.0/17'],
  },
  aurora: {
    engine: 'aurora-postgresql',
    databaseName: 'app',
    instanceCount: 2,
    instanceClass: 'db.r6g.large',
  },
  cache: { engine: 'valkey', nodeCount: 2 },
  dynamodb: {
    tables: [
      { name: 'orders', partitionKey: { name: 'pk' }, sortKey: { name: 'sk' }, replicateToDr: true },
      { name: 'sessions', partitionKey: { name: 'id' }, ttlAttribute: 'expires_at' },
    ],
    dax: { nodeCount: 3 },
  },
});
