/**
 * Names shared by the developer platform (shared account) and the platform-access layer of each workload
 * account, so either side can build the other's role ARNs without reading its state (which would be a cycle).
 */
import { resourceName } from '../lib/naming';

/** Role in a workload account that the platform's pipeline assumes to provision application resources. */
export function provisioningRoleName(project: string, account: string): string {
  return resourceName(project, account, 'platform-provisioning');
}

/** Role in a workload account that the platform (Backstage) assumes to show and operate applications. */
export function operationsRoleName(project: string, account: string): string {
  return resourceName(project, account, 'platform-operations');
}

/** Path of the application roles the provisioning role may create (always with the platform's permissions boundary). */
export const APPLICATION_ROLE_PATH = '/platform-apps/';
