/**
 * Versions: engines, clusters and runtimes within their support windows on the day of the check, add-ons that match
 * their cluster, and no pinned version that fights the automatic minor upgrades AWS applies.
 */
import { block, strings, truthy, type ResourceView } from '../../policy/model';
import type { Hit, PreflightRule } from '../engine';
import { literalString, type StackModel } from '../model';
import {
  daysBetween, EKS_KUBERNETES_VERSIONS, engineMajor, ENGINE_MAJOR_VERSIONS, LAMBDA_RUNTIMES, SUPPORT_WARNING_DAYS,
} from '../../versions';
import { target } from './service-grants';

/** A window as the rules judge it: a version and the first day without standard support (lib/versions.ts rows). */
interface SupportWindow {
  readonly version: string;
  readonly standardEnds: string;
  readonly source: string;
}

const EKS_WINDOWS = EKS_KUBERNETES_VERSIONS.map((r) => ({ version: r.version, standardEnds: r.endOfStandardSupport, extendedEnds: r.endOfExtendedSupport, source: r.source }));

function ignoresEngineVersion(resource: ResourceView): boolean {
  const lifecycle = block(resource.config.lifecycle);
  return strings(lifecycle?.ignore_changes).some((c) => c === 'engine_version' || c === 'all');
}

function windowHit(stack: StackModel, resource: ResourceView, what: string, window: SupportWindow, today: string, fix: string): Hit | undefined {
  const left = daysBetween(today, window.standardEnds);
  if (left > SUPPORT_WARNING_DAYS) return undefined;
  return {
    stack: stack.id,
    address: resource.address,
    message: left < 0
      ? `${what} ${window.version}: standard support ended on ${window.standardEnds} (${-left} days ago; ${window.source})`
      : `${what} ${window.version}: standard support ends on ${window.standardEnds}, in ${left} days (${window.source})`,
    fix,
  };
}

export const versionRules: PreflightRule[] = [
  {
    id: 'PF-VER-001',
    family: 'versions',
    title: 'EKS clusters run a Kubernetes version in standard support (in extended support only when support_type is EXTENDED)',
    docs: 'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_eks_cluster')) {
        const version = literalString(resource.config.version);
        const window = EKS_WINDOWS.find((w) => w.version === version);
        if (!version) continue;
        const fix = `move to a version in standard support (${EKS_WINDOWS.filter((w) => daysBetween(org.today, w.standardEnds) > SUPPORT_WARNING_DAYS).map((w) => w.version).join(', ') || 'see the EKS calendar'}) with add-on versions published for it`;
        if (!window) {
          hits.push({ stack: stack.id, address: resource.address, message: `Kubernetes ${version} is not in the EKS release calendar of lib/versions.ts`, fix: 'check the EKS calendar and add the version to EKS_KUBERNETES_VERSIONS' });
          continue;
        }
        const supportType = literalString(block(resource.config.upgrade_policy)?.support_type) ?? 'EXTENDED';
        if (supportType === 'EXTENDED' && window.extendedEnds && daysBetween(org.today, window.extendedEnds) >= 0) {
          if (daysBetween(org.today, window.standardEnds) < 0) {
            hits.push({ stack: stack.id, address: resource.address, message: `Kubernetes ${version} is in paid extended support (standard ended ${window.standardEnds}, extended ends ${window.extendedEnds})`, fix });
          }
          continue;
        }
        const hit = windowHit(stack, resource, `Kubernetes (support_type ${supportType})`, window, org.today, fix);
        if (hit) hits.push(hit);
      }
      return hits;
    },
  },
  {
    id: 'PF-VER-002',
    family: 'versions',
    title: 'EKS add-ons tied to the Kubernetes minor (kube-proxy) match the cluster version',
    docs: 'https://docs.aws.amazon.com/eks/latest/userguide/managing-kube-proxy.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_eks_addon')) {
        if (resource.config.addon_name !== 'kube-proxy') continue;
        const version = literalString(resource.config.addon_version);
        const cluster = target(org, stack, resource.config.cluster_name);
        const clusterVersion = cluster && cluster.resource.type === 'aws_eks_cluster' ? literalString(cluster.resource.config.version) : undefined;
        const minor = version ? /^v?(\d+\.\d+)\./.exec(version)?.[1] : undefined;
        if (!minor || !clusterVersion || minor === clusterVersion) continue;
        hits.push({
          stack: stack.id,
          address: resource.address,
          message: `kube-proxy ${version} is built for Kubernetes ${minor}, but the cluster runs ${clusterVersion}: EKS refuses an add-on version not published for the cluster version`,
          fix: `use the kube-proxy version listed by \`aws eks describe-addon-versions --kubernetes-version ${clusterVersion} --addon-name kube-proxy\``,
        });
      }
      return hits;
    },
  },
  {
    id: 'PF-VER-003',
    family: 'versions',
    title: 'Database and cache engine major versions are in standard support (Aurora PostgreSQL/MySQL, ElastiCache Redis)',
    docs: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_rds_cluster', 'aws_db_instance', 'aws_elasticache_replication_group', 'aws_elasticache_cluster')) {
        const engine = literalString(resource.config.engine) ?? (resource.type.startsWith('aws_elasticache') ? 'redis' : undefined);
        const version = literalString(resource.config.engine_version);
        if (!engine || !version) continue;
        const row = ENGINE_MAJOR_VERSIONS[engine]?.find((w) => w.major === engineMajor(engine, version));
        if (!row) continue;
        const hit = windowHit(stack, resource, `${engine}`, { version: `${version} (major ${row.major})`, standardEnds: row.endOfStandardSupport, source: row.source }, org.today,
          `upgrade to a major version in standard support (${(ENGINE_MAJOR_VERSIONS[engine] ?? []).filter((w) => daysBetween(org.today, w.endOfStandardSupport) > SUPPORT_WARNING_DAYS).map((w) => w.major).join(', ') || 'see the release calendar'}); past the date AWS enrols it in paid extended support`);
        if (hit) hits.push(hit);
      }
      return hits;
    },
  },
  {
    id: 'PF-VER-004',
    family: 'versions',
    title: 'A pinned full minor engine version never fights automatic minor upgrades',
    docs: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_UpgradeDBInstance.Maintenance.html#Aurora.Maintenance.AMVU',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_rds_cluster', 'aws_db_instance', 'aws_elasticache_replication_group')) {
        const engine = literalString(resource.config.engine) ?? '';
        const version = literalString(resource.config.engine_version);
        if (!version || ignoresEngineVersion(resource)) continue;
        // RDS and Aurora: a minor is pinned by "16.6" / "8.0.mysql_aurora.3.05.2"; ElastiCache only by a patch "7.1.0".
        const pinned = resource.type.startsWith('aws_elasticache') ? /^\d+\.\d+\.\d+/.test(version) : /^\d+\.\d+/.test(version) && !/^\d+$/.test(version);
        if (!pinned) continue;
        let autoUpgrade: boolean;
        let where: string;
        if (resource.type === 'aws_rds_cluster') {
          const instances = stack.view.ofType('aws_rds_cluster_instance').filter((i) => target(org, stack, i.config.cluster_identifier)?.resource.address === resource.address);
          autoUpgrade = instances.some((i) => i.config.auto_minor_version_upgrade === undefined || truthy(i.config.auto_minor_version_upgrade));
          where = instances.map((i) => i.address).join(', ') || 'its instances';
        } else {
          autoUpgrade = resource.config.auto_minor_version_upgrade === undefined || truthy(resource.config.auto_minor_version_upgrade);
          where = resource.address;
        }
        if (!autoUpgrade) continue;
        hits.push({
          stack: stack.id,
          address: resource.address,
          message: `pins ${engine} engine_version "${version}" while ${where} upgrade minor versions automatically: after AWS upgrades the cluster, every plan tries to go back to ${version} (a downgrade the API refuses), and a pinned minor leaves support within about a year`,
          fix: 'add lifecycle ignore_changes = [engine_version] and treat the value as a floor (a major-only value is not enough: the provider resolves it to the default minor, hashicorp/terraform-provider-aws#45026), or turn auto_minor_version_upgrade off and own the upgrades',
        });
      }
      return hits;
    },
  },
  {
    id: 'PF-VER-005',
    family: 'versions',
    title: 'Lambda functions use a runtime that is not deprecated',
    docs: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_lambda_function')) {
        const runtime = literalString(resource.config.runtime);
        const row = LAMBDA_RUNTIMES.find((w) => w.runtime === runtime);
        if (!row) continue;
        const hit = windowHit(stack, resource, 'Lambda runtime', { version: row.runtime, standardEnds: row.deprecated, source: row.source }, org.today, 'move to a supported runtime (e.g. nodejs22.x, python3.13)');
        if (hit) hits.push(hit);
      }
      return hits;
    },
  },
];
