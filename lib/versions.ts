/**
 * Support windows of every version the project pins or checks, in ONE place: Kubernetes on EKS (the eks layer refuses
 * an ended version, the policy pack's POL-EKS-004 warns ahead, the preflight's PF-VER-001 checks clusters) and the EKS
 * add-on versions pinned per Kubernetes minor (EKS_ADDON_VERSIONS), Aurora and
 * ElastiCache engine majors (PF-VER-003) and Lambda runtimes (PF-VER-005). A version outside its window is refused at
 * synth or before any terraform instead of being discovered by a failed or surprise-upgraded apply.
 *
 * Every row names the AWS page its dates come from. Update a table when AWS publishes a new row. Dates are UTC and
 * mark the first day without that support (billing for extended support starts at 00:00 UTC on the
 * end-of-standard-support date). A version missing from a table is not judged by the preflight (and refused by the
 * eks layer, which must know its calendar).
 */

/** The Amazon EKS Kubernetes release calendar the dates below come from. */
export const EKS_RELEASE_CALENDAR_URL = 'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar';

export interface KubernetesVersionSupport {
  /** Minor version, e.g. `1.35`. */
  readonly version: string;
  /** The AWS page the dates come from. */
  readonly source: string;
  /** Amazon EKS release date (YYYY-MM-DD). */
  readonly released: string;
  /** First day without standard support (YYYY-MM-DD): from then on only extended support (paid) applies. */
  readonly endOfStandardSupport: string;
  /** First day without any support: EKS upgrades the control plane on its own after it. */
  readonly endOfExtendedSupport: string;
}

/**
 * Amazon EKS release calendar, newest first. 1.29 to 1.34: the calendar table of EKS_RELEASE_CALENDAR_URL (EKS release,
 * end of standard support, end of extended support). 1.35 (released on EKS 2026-01-28, standard support until
 * 2027-03-27, extended until 2028-03-27): the same calendar's later row, as republished by endoflife.date/amazon-eks;
 * 1.28: the calendar's row before it left the table. Checked 2026-11-30. Extended support always ends 12 months after
 * standard support.
 */
export const EKS_KUBERNETES_VERSIONS: readonly KubernetesVersionSupport[] = [
  { version: '1.35', released: '2026-01-28', endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27', source: EKS_RELEASE_CALENDAR_URL },
  { version: '1.34', released: '2025-10-02', endOfStandardSupport: '2026-12-02', endOfExtendedSupport: '2027-12-02', source: EKS_RELEASE_CALENDAR_URL },
  { version: '1.33', released: '2025-05-29', endOfStandardSupport: '2026-07-29', endOfExtendedSupport: '2027-07-29', source: EKS_RELEASE_CALENDAR_URL },
  { version: '1.32', released: '2025-01-23', endOfStandardSupport: '2026-03-23', endOfExtendedSupport: '2027-03-23', source: EKS_RELEASE_CALENDAR_URL },
  { version: '1.31', released: '2024-09-26', endOfStandardSupport: '2025-11-26', endOfExtendedSupport: '2026-11-26', source: EKS_RELEASE_CALENDAR_URL },
  { version: '1.30', released: '2024-05-23', endOfStandardSupport: '2025-07-23', endOfExtendedSupport: '2026-07-23', source: EKS_RELEASE_CALENDAR_URL },
  { version: '1.29', released: '2024-01-23', endOfStandardSupport: '2025-03-23', endOfExtendedSupport: '2026-03-23', source: EKS_RELEASE_CALENDAR_URL },
  { version: '1.28', released: '2023-09-26', endOfStandardSupport: '2024-11-26', endOfExtendedSupport: '2025-11-26', source: EKS_RELEASE_CALENDAR_URL },
];

// ---------------------------------------------------------------------------------------------------------------
// EKS add-ons (the eks layer, PF-VER-002), next to the calendar: a Kubernetes version and its add-ons move together.

/** The add-ons the eks layer installs: config key -> the name EKS knows the add-on by. */
export const EKS_ADDON_NAMES = {
  vpcCni: 'vpc-cni',
  kubeProxy: 'kube-proxy',
  podIdentityAgent: 'eks-pod-identity-agent',
  coredns: 'coredns',
  ebsCsiDriver: 'aws-ebs-csi-driver',
  metricsServer: 'metrics-server',
  externalDns: 'external-dns',
  certManager: 'cert-manager',
} as const;

export type EksAddonKey = keyof typeof EKS_ADDON_NAMES;

/** One pinned `v<semver>-eksbuild.<n>` version per add-on. */
export type EksAddonVersions = { readonly [K in EksAddonKey]: string };

/** A published EKS add-on version: `v<major>.<minor>.<patch>-eksbuild.<n>`. */
export const EKS_ADDON_VERSION_PATTERN = /^v(\d+)\.(\d+)\.(\d+)-eksbuild\.\d+$/;

/** The command that lists what EKS publishes, to name in messages and docs. */
export function describeAddonVersionsCommand(kubernetesVersion: string, addonName: string): string {
  return `aws eks describe-addon-versions --kubernetes-version ${kubernetesVersion} --addon-name ${addonName}`;
}

export interface EksAddonRelease {
  /** Kubernetes minor these versions are published for (a row of EKS_KUBERNETES_VERSIONS). */
  readonly kubernetesVersion: string;
  /** Region the versions were read in: EKS publishes the same add-on version with another `eksbuild` in some regions. */
  readonly region: string;
  readonly versions: EksAddonVersions;
  /** Where the versions come from and when they were read. */
  readonly source: string;
}

/**
 * The add-on versions every cluster of a Kubernetes minor runs, ONE row per minor: bumping `kubernetesVersion` in an
 * eks layer moves every add-on with it (a layer's `addonVersions` only overrides single entries, e.g. a build
 * published under another `eksbuild` number in its region). A minor without a row needs every version in the layer's
 * config. Add the row of the next minor before upgrading (docs/workloads.md "Upgrading Kubernetes"), with the versions
 * `aws eks describe-addon-versions --kubernetes-version <minor> --addon-name <name>` lists as default.
 *
 * 1.35, us-east-1 (this repository cannot call AWS; checked 2026-11-30 against public configurations that read
 * describe-addon-versions for 1.35): vpc-cni, coredns, kube-proxy from a us-east-1 EKS 1.35 configuration of 2026-09
 * (v1.22.4-eksbuild.3, v1.13.2-eksbuild.11 = the default coredns, v1.35.3-eksbuild.18); eks-pod-identity-agent
 * v1.3.10-eksbuild.3 (every 1.35 configuration found pins it); aws-ebs-csi-driver v1.64.0-eksbuild.1 (1.35
 * configurations of 2026-09/10; v1.63.1 and v1.65.0 also exist); metrics-server v0.9.0-eksbuild.5 (the 1.35 default
 * read 2026-08-04, and a per-version table of a CDK project: 1.34 and 1.35 -> v0.9.0-eksbuild.5); cert-manager
 * v1.21.0-eksbuild.2 (the default read in us-east-1 and eu-west-1; ap-northeast-2 publishes eksbuild.3);
 * external-dns v0.21.0-eksbuild.6 (read for 1.35 on 2026-08-04; builds .4 to .9 exist). metrics-server, cert-manager
 * and external-dns are EKS community add-ons (owner `community`): AWS validates their compatibility with the
 * Kubernetes version and runs their lifecycle, the projects support the software.
 * https://docs.aws.amazon.com/eks/latest/userguide/community-addons.html
 */
export const EKS_ADDON_VERSIONS: readonly EksAddonRelease[] = [
  {
    kubernetesVersion: '1.35',
    region: 'us-east-1',
    versions: {
      vpcCni: 'v1.22.4-eksbuild.3',
      kubeProxy: 'v1.35.3-eksbuild.18',
      podIdentityAgent: 'v1.3.10-eksbuild.3',
      coredns: 'v1.13.2-eksbuild.11',
      ebsCsiDriver: 'v1.64.0-eksbuild.1',
      metricsServer: 'v0.9.0-eksbuild.5',
      externalDns: 'v0.21.0-eksbuild.6',
      certManager: 'v1.21.0-eksbuild.2',
    },
    source: 'aws eks describe-addon-versions --kubernetes-version 1.35, as read by public EKS 1.35 configurations of 2026-08 to 2026-10 (see above)',
  },
];

/** The pinned add-on versions of a Kubernetes minor, or undefined when the table has no row for it. */
export function eksAddonRelease(kubernetesVersion: string): EksAddonRelease | undefined {
  return EKS_ADDON_VERSIONS.find((r) => r.kubernetesVersion === kubernetesVersion);
}

// ---------------------------------------------------------------------------------------------------------------
// Database and cache engines (PF-VER-003).

/** A major engine version's support window. */
export interface EngineVersionSupport {
  /** Major version as the engine writes it: `16` (Aurora PostgreSQL), `8.0` (Aurora MySQL), `7` (Redis OSS). */
  readonly major: string;
  /** First day without standard support; past it AWS enrols the cluster in paid extended support, or ends the version. */
  readonly endOfStandardSupport: string;
  /** The AWS page the date comes from. */
  readonly source: string;
}

export const AURORA_POSTGRESQL_CALENDAR_URL = 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html';
export const AURORA_MYSQL_CALENDAR_URL = 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraMySQLReleaseNotes/AuroraMySQL.release-calendars.html';
export const ELASTICACHE_REDIS_EOL_URL = 'https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/deprecated-engine-versions.html';

/**
 * Major versions per engine (the `engine` attribute of the cluster or replication group), oldest first. Aurora: the
 * Aurora end of standard support of the major versions tables (Aurora PostgreSQL 12 ended 2025-02-28, as AWS's upgrade
 * post for 12 confirms). Aurora MySQL 8.0 (version 3) keeps standard support until 2028-04-30 (the Aurora MySQL
 * calendar; RDS for MySQL 8.0 ends earlier, 2026-07-31). ElastiCache: Redis OSS 2 and 3 reached end of life; 4 and 5
 * left standard support on 2026-01-31 (extended support since). AWS publishes no end date for Redis OSS 6/7 or for
 * Valkey (7.2, 8.x) yet: they have no row, so nothing is reported for them. Aurora PostgreSQL 18 and Aurora MySQL 8.4
 * have no row until their dates are checked.
 */
export const ENGINE_MAJOR_VERSIONS: Readonly<Record<string, readonly EngineVersionSupport[]>> = {
  'aurora-postgresql': [
    { major: '11', endOfStandardSupport: '2024-02-29', source: AURORA_POSTGRESQL_CALENDAR_URL },
    { major: '12', endOfStandardSupport: '2025-02-28', source: AURORA_POSTGRESQL_CALENDAR_URL },
    { major: '13', endOfStandardSupport: '2026-02-28', source: AURORA_POSTGRESQL_CALENDAR_URL },
    { major: '14', endOfStandardSupport: '2027-02-28', source: AURORA_POSTGRESQL_CALENDAR_URL },
    { major: '15', endOfStandardSupport: '2028-02-29', source: AURORA_POSTGRESQL_CALENDAR_URL },
    { major: '16', endOfStandardSupport: '2029-02-28', source: AURORA_POSTGRESQL_CALENDAR_URL },
    { major: '17', endOfStandardSupport: '2030-02-28', source: AURORA_POSTGRESQL_CALENDAR_URL },
  ],
  'aurora-mysql': [
    { major: '5.7', endOfStandardSupport: '2024-10-31', source: AURORA_MYSQL_CALENDAR_URL },
    { major: '8.0', endOfStandardSupport: '2028-04-30', source: AURORA_MYSQL_CALENDAR_URL },
  ],
  redis: [
    { major: '2', endOfStandardSupport: '2023-01-13', source: ELASTICACHE_REDIS_EOL_URL },
    { major: '3', endOfStandardSupport: '2023-07-31', source: ELASTICACHE_REDIS_EOL_URL },
    { major: '4', endOfStandardSupport: '2026-01-31', source: ELASTICACHE_REDIS_EOL_URL },
    { major: '5', endOfStandardSupport: '2026-01-31', source: ELASTICACHE_REDIS_EOL_URL },
  ],
  valkey: [],
};

/** Major version of an engine version string: `16.6` -> 16, `8.0.mysql_aurora.3.05.2` -> 8.0, `7.1` (redis) -> 7. */
export function engineMajor(engine: string, version: string): string {
  if (engine === 'aurora-mysql' || engine === 'mysql') return version.split('.').slice(0, 2).join('.');
  return version.split('.')[0];
}

// ---------------------------------------------------------------------------------------------------------------
// Lambda runtimes (PF-VER-005).

export const LAMBDA_RUNTIMES_URL = 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html';

export interface LambdaRuntimeSupport {
  /** Runtime identifier, e.g. `nodejs22.x`. */
  readonly runtime: string;
  /** Deprecation date: AWS stops patching it; creating functions is blocked some months later. */
  readonly deprecated: string;
  readonly source: string;
}

/**
 * Deprecation dates of the Lambda runtimes page (deprecated and supported runtimes tables), checked 2026-11-30. The
 * policy pack's POL-LAM-001 refuses a runtime past its date; the preflight's PF-VER-005 also refuses one within
 * SUPPORT_WARNING_DAYS of it. A runtime without a row (a newer one) is not judged.
 */
export const LAMBDA_RUNTIMES: readonly LambdaRuntimeSupport[] = [
  { runtime: 'nodejs', deprecated: '2016-10-31', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'nodejs4.3', deprecated: '2020-03-05', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'nodejs6.10', deprecated: '2019-08-12', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'nodejs8.10', deprecated: '2020-03-06', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'nodejs10.x', deprecated: '2021-07-30', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'nodejs12.x', deprecated: '2023-03-31', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'nodejs14.x', deprecated: '2023-12-04', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'nodejs16.x', deprecated: '2024-06-12', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'nodejs18.x', deprecated: '2025-09-01', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'nodejs20.x', deprecated: '2026-04-30', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'nodejs22.x', deprecated: '2027-04-30', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'python2.7', deprecated: '2021-07-15', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'python3.6', deprecated: '2022-07-18', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'python3.7', deprecated: '2023-12-04', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'python3.8', deprecated: '2024-10-14', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'python3.9', deprecated: '2025-12-15', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'python3.12', deprecated: '2028-10-31', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'python3.13', deprecated: '2029-06-30', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'ruby2.5', deprecated: '2021-07-30', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'ruby2.7', deprecated: '2023-12-07', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'ruby3.2', deprecated: '2026-03-31', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'java8', deprecated: '2024-01-08', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'go1.x', deprecated: '2024-01-08', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'provided', deprecated: '2024-01-08', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'dotnetcore1.0', deprecated: '2019-07-30', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'dotnetcore2.0', deprecated: '2019-05-30', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'dotnetcore2.1', deprecated: '2022-01-05', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'dotnetcore3.1', deprecated: '2023-04-03', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'dotnet5.0', deprecated: '2022-05-10', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'dotnet6', deprecated: '2024-12-20', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'dotnet7', deprecated: '2024-05-14', source: LAMBDA_RUNTIMES_URL },
  { runtime: 'dotnet8', deprecated: '2026-11-10', source: LAMBDA_RUNTIMES_URL },
];

/** The date `runtime` was deprecated, when it is deprecated on `today`; undefined for a supported or unknown runtime. */
export function lambdaRuntimeDeprecation(runtime: string, today: Date = new Date()): string | undefined {
  const row = LAMBDA_RUNTIMES.find((r) => r.runtime === runtime);
  return row && daysUntil(row.deprecated, today) <= 0 ? row.deprecated : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Judging a date.

/**
 * Days before the end of a support window from which a version is reported: the preflight's PF-VER rules refuse it,
 * the policy pack warns (POL-EKS-004). EKS announces an end date at least 60 days ahead; a quarter leaves time to test
 * the next version in devstg first.
 */
export const SUPPORT_WARNING_DAYS = 90;

/** Whole days from `from` until `to` (both `YYYY-MM-DD`): 0 on the same day, negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcDay(to) - utcDay(from)) / DAY_MS);
}

/** Days before the end of EKS standard support from which the policy pack warns (POL-EKS-004). */
export const EKS_UPGRADE_WARNING_DAYS = SUPPORT_WARNING_DAYS;

export type EksSupportType = 'STANDARD' | 'EXTENDED';

export type EksSupportStatus =
  | { readonly status: 'unknown' }
  | { readonly status: 'not-released'; readonly row: KubernetesVersionSupport }
  | { readonly status: 'standard'; readonly row: KubernetesVersionSupport; readonly daysLeft: number }
  | { readonly status: 'extended'; readonly row: KubernetesVersionSupport; readonly daysLeft: number }
  | { readonly status: 'ended'; readonly row: KubernetesVersionSupport };

const DAY_MS = 24 * 60 * 60 * 1000;

/** Midnight UTC of a `YYYY-MM-DD` date. */
function utcDay(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** Whole days from `today` (its UTC day) until `date`: 0 on the day itself, negative after it. */
export function daysUntil(date: string, today: Date): number {
  const start = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.round((utcDay(date) - start) / DAY_MS);
}

/** Where `version` stands on `today` (default: the real date). */
export function eksSupportStatus(version: string, today: Date = new Date()): EksSupportStatus {
  const row = EKS_KUBERNETES_VERSIONS.find((r) => r.version === version);
  if (!row) return { status: 'unknown' };
  if (daysUntil(row.released, today) > 0) return { status: 'not-released', row };
  const standard = daysUntil(row.endOfStandardSupport, today);
  if (standard > 0) return { status: 'standard', row, daysLeft: standard };
  const extended = daysUntil(row.endOfExtendedSupport, today);
  if (extended > 0) return { status: 'extended', row, daysLeft: extended };
  return { status: 'ended', row };
}

/** The newest version in standard support on `today`, to name in messages. */
export function newestStandardVersion(today: Date = new Date()): string | undefined {
  return EKS_KUBERNETES_VERSIONS.find((r) => eksSupportStatus(r.version, today).status === 'standard')?.version;
}

/**
 * Why a cluster on `version` with `supportType` would be refused or upgraded by EKS on `today`, or undefined when it
 * is fine. `STANDARD` refuses a version past its standard support (EKS would upgrade it at once); every type refuses
 * a version past extended support, one not yet released, or one missing from EKS_KUBERNETES_VERSIONS.
 */
export function eksVersionProblem(version: string, supportType: EksSupportType, today: Date = new Date()): string | undefined {
  const s = eksSupportStatus(version, today);
  const upgrade = (): string => {
    const next = newestStandardVersion(today);
    return next ? `; move to ${next} (in standard support), see docs/workloads.md "Upgrading Kubernetes"` : '';
  };
  switch (s.status) {
    case 'unknown':
      return `${version} is not in the EKS release calendar of lib/versions.ts (${EKS_KUBERNETES_VERSIONS.map((r) => r.version).join(', ')}); ` +
        `add its row with the dates from ${EKS_RELEASE_CALENDAR_URL}`;
    case 'not-released':
      return `${version} is released on EKS only on ${s.row.released}`;
    case 'ended':
      return `${version} reached the end of extended support on ${s.row.endOfExtendedSupport}: EKS no longer creates such clusters${upgrade()}`;
    case 'extended':
      return supportType === 'STANDARD'
        ? `${version} left standard support on ${s.row.endOfStandardSupport}: with supportType STANDARD, EKS refuses a new cluster ` +
          `on it or upgrades an existing one${upgrade()}`
        : undefined;
    case 'standard':
      return undefined;
  }
}

/** A warning when `version` leaves standard support within `warningDays`, or is already in (paid) extended support. */
export function eksVersionWarning(version: string, today: Date = new Date(), warningDays: number = EKS_UPGRADE_WARNING_DAYS): string | undefined {
  const s = eksSupportStatus(version, today);
  if (s.status === 'standard' && s.daysLeft <= warningDays) {
    return `Kubernetes ${version} leaves EKS standard support on ${s.row.endOfStandardSupport} (in ${s.daysLeft} days): ` +
      'upgrade (docs/workloads.md "Upgrading Kubernetes")';
  }
  if (s.status === 'extended') {
    return `Kubernetes ${version} is in EKS extended support (paid per cluster hour) until ${s.row.endOfExtendedSupport}: upgrade`;
  }
  return undefined;
}
