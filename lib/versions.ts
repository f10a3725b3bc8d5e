/**
 * Support windows of the versions this project pins, in one place. A version outside its window is refused at
 * synth (or flagged by the policy pack) instead of being discovered by a failed or surprise-upgraded apply.
 *
 * Update this table when AWS publishes a new row: the release calendar lists the EKS release date and the end of
 * standard and extended support of every Kubernetes minor version (dates are UTC; billing for extended support
 * starts at 00:00 UTC on the end-of-standard-support date).
 */

/** The Amazon EKS Kubernetes release calendar the dates below come from. */
export const EKS_RELEASE_CALENDAR_URL = 'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar';

export interface KubernetesVersionSupport {
  /** Minor version, e.g. `1.35`. */
  readonly version: string;
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
 * checked 2026-11-30. Extended support always ends 12 months after standard support.
 */
export const EKS_KUBERNETES_VERSIONS: readonly KubernetesVersionSupport[] = [
  { version: '1.35', released: '2026-01-28', endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27' },
  { version: '1.34', released: '2025-10-02', endOfStandardSupport: '2026-12-02', endOfExtendedSupport: '2027-12-02' },
  { version: '1.33', released: '2025-05-29', endOfStandardSupport: '2026-07-29', endOfExtendedSupport: '2027-07-29' },
  { version: '1.32', released: '2025-01-23', endOfStandardSupport: '2026-03-23', endOfExtendedSupport: '2027-03-23' },
  { version: '1.31', released: '2024-09-26', endOfStandardSupport: '2025-11-26', endOfExtendedSupport: '2026-11-26' },
  { version: '1.30', released: '2024-05-23', endOfStandardSupport: '2025-07-23', endOfExtendedSupport: '2026-07-23' },
  { version: '1.29', released: '2024-01-23', endOfStandardSupport: '2025-03-23', endOfExtendedSupport: '2026-03-23' },
];

/**
 * Days before the end of standard support from which the policy pack warns (POL-EKS-004): EKS announces the date
 * at least 60 days ahead; a quarter leaves time to test the next version in devstg first.
 */
export const EKS_UPGRADE_WARNING_DAYS = 90;

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
