import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { describeAddonVersionsCommand, EKS_ADDON_VERSION_PATTERN } from '../lib/versions';
import type { PodIdentityRole } from './pod-identity-role';

export interface ClusterAddonProps {
  readonly clusterName: string;
  /** The name EKS knows the add-on by, e.g. `vpc-cni`, `external-dns`. */
  readonly addonName: string;
  /**
   * A version EKS publishes for the cluster's Kubernetes version, `v<x.y.z>-eksbuild.<n>`, pinned: never looked up
   * (`aws_eks_addon_version` calls AWS at plan time and, with `most_recent`, moves on its own).
   */
  readonly version: string;
  /**
   * Pod Identity roles of the add-on's service accounts (`associatedBy: 'addon'`): EKS creates the associations with the
   * add-on and owns them. @default [] (an add-on that calls no AWS API)
   */
  readonly podIdentity?: readonly PodIdentityRole[];
  /** Configuration values, validated by EKS against the add-on's schema (`aws eks describe-addon-configuration`). @default - the add-on's defaults */
  readonly configuration?: Readonly<Record<string, unknown>>;
  /** What must exist first: node groups for add-ons that run Deployments (they stay DEGRADED without nodes). @default [] */
  readonly dependsOn?: ITerraformDependable[];
}

/** Why `version` is not a published add-on version of `addonName`, or undefined. */
export function addonVersionProblem(addonName: string, version: unknown, kubernetesVersion: string): string | undefined {
  if (typeof version === 'string' && EKS_ADDON_VERSION_PATTERN.test(version)) return undefined;
  return `"${String(version)}" is not an EKS add-on version such as v1.2.3-eksbuild.1 (${describeAddonVersionsCommand(kubernetesVersion, addonName)})`;
}

/**
 * An EKS managed add-on at a pinned version, its IAM access through Pod Identity associations it owns (no IRSA
 * `service_account_role_arn`, no permissions on the node role). Conflicts resolve to OVERWRITE: on create EKS takes
 * over whatever the cluster runs under the add-on's name; on update this configuration wins over edits made inside the
 * cluster (a `kubectl edit` of a managed add-on is drift, not a change to keep).
 *
 * Created directly in `scope` with the id given (like modules/role.ts), so an add-on the layer made before this module
 * keeps its address.
 */
export class ClusterAddon {
  readonly addon: EksAddon;

  constructor(scope: Construct, id: string, props: ClusterAddonProps) {
    const roles = props.podIdentity ?? [];
    // The associations hand out credentials at once: the roles' permissions come first.
    const dependsOn = [...(props.dependsOn ?? []), ...roles.flatMap((r) => r.permissions)];
    this.addon = new EksAddon(scope, id, {
      clusterName: props.clusterName,
      addonName: props.addonName,
      addonVersion: props.version,
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      configurationValues: props.configuration ? JSON.stringify(props.configuration) : undefined,
      podIdentityAssociation: roles.length > 0 ? roles.map((r) => ({ ...r.addonAssociation })) : undefined,
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
    });
  }
}
