import { defineLayer } from '../../../lib/config';
import { ContainerRegistry } from '../../../layers/container-registry';

/** Images of the organisation, pulled by the workload accounts (apps-devstg, apps-prd, data-science). */
export default defineLayer(ContainerRegistry, {
  repositories: [
    { name: 'acme/api' },
    { name: 'acme/web' },
    { name: 'acme/batch', keepImages: 30 },
  ],
});
