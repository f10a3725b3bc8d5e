/**
 * Typed configuration of a project (organisation), its accounts and their layers.
 * Everything here is plain data written in `projects/<project>/`; `lib/organisation.ts` loads and validates it.
 */
import type { LayerKind } from './layer-stack';

export interface ProjectConfig {
  /** Short lowercase code used in every name, e.g. `acme` gives bucket `acme-apps-prd-terraform-backend-<account id>`. */
  readonly name: string;
  /** Region of the state backends and of every layer unless an account or layer says otherwise. */
  readonly primaryRegion: string;
  /** Second region for pilot-light disaster recovery. @default - no DR region */
  readonly drRegion?: string;
  /**
   * Availability-zone names per region. They come from config, never from the `aws_availability_zones`
   * data source, which calls AWS and breaks offline plans.
   */
  readonly availabilityZones: Readonly<Record<string, readonly string[]>>;
  /**
   * Role every layer's provider and backend assume once the account's `security` layer has created it (see
   * lib/identity.ts for who assumes what at each step). @default 'DevOps'
   */
  readonly deployRoleName?: string;
  /**
   * Role that Organizations creates in every member account it creates (`role_name` of the account): the day-zero
   * sequence assumes it in a member account until that account's deploy role exists. @default 'OrganizationAccountAccessRole'
   */
  readonly bootstrapRoleName?: string;
  /**
   * The account that owns the AWS Organization. Its day-zero layers run with the caller's own session (SSO or IAM
   * administrator of that account): no role exists there before they run. @default 'management'
   */
  readonly managementAccount?: string;
  /** IAM Identity Center: where people sign in, and which permission sets may use which roles. @default - defaults below, no AWS CLI profiles */
  readonly identityCenter?: IdentityCenterConfig;
  /** The CI system allowed to plan and apply (GitHub Actions through OIDC). @default - no CI roles */
  readonly ci?: CiConfig;
  /** Tags added to every resource of the project on top of Project, Account, Environment, Layer and ManagedBy. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Order in which whole-organisation runs visit accounts. Accounts not listed run last, alphabetically.
   * @default ['management', 'security', 'shared', 'network']
   */
  readonly accountOrder?: readonly string[];
}

/**
 * People sign in through IAM Identity Center. Its sessions carry no `aws:MultiFactorAuthPresent`, so roles trust
 * the permission sets' own roles (`role/aws-reserved/sso.amazonaws.com/…/AWSReservedSSO_<set>_*`, a path only
 * Identity Center can create) and MFA is enforced by Identity Center at sign-in (docs/day-zero.md).
 */
export interface IdentityCenterConfig {
  /** AWS access portal URL, `https://d-xxxxxxxxxx.awsapps.com/start` or your alias: written into the CLI profiles by `make sso-config`. */
  readonly startUrl: string;
  /** Region where Identity Center is enabled. @default the project's primaryRegion */
  readonly region?: string;
  /** Permission sets whose sessions may assume the deploy role and read Terraform state. @default ['DevOps', 'Administrator'] */
  readonly deployPermissionSets?: readonly string[];
  /** Permission sets whose sessions may assume the `ReadOnly` role. @default ['ReadOnly', 'SecurityAuditor'] */
  readonly readOnlyPermissionSets?: readonly string[];
  /** Permission sets whose sessions may assume the `Auditor` role. @default ['SecurityAuditor'] */
  readonly auditPermissionSets?: readonly string[];
}

/** GitHub Actions, authenticated by OIDC: no access keys anywhere. */
export interface CiConfig {
  /**
   * `owner/name` of the one repository whose workflows may assume the CI roles, exactly as GitHub spells it
   * (the OIDC `sub` claim is compared case-sensitively). Never a wildcard.
   */
  readonly githubRepository: string;
  /** Branch whose pushes apply; the plan role also trusts it. @default 'main' */
  readonly mainBranch?: string;
}

export interface AccountConfig {
  /**
   * The 12-digit AWS account id, or `'pending'` for a member account the organizations layer has not created yet
   * (`make new-account` writes that; a real synth then leaves the account out until its id is set).
   */
  readonly id: string;
  /** Root e-mail of the account, used by the organizations layer to create it. */
  readonly email: string;
  /** Environment name used in tags and sizing decisions, e.g. `prd`, `devstg`, `shared`. */
  readonly environment: string;
  /** Home region of the account and its state backend. @default the project's primaryRegion */
  readonly region?: string;
  /** Overrides the project's deploy role for this account; the account's `security` layer creates it under this name. @default the project's deployRoleName */
  readonly deployRoleName?: string;
  /** Per-region AZ names overriding the project's. @default the project's availabilityZones */
  readonly availabilityZones?: Readonly<Record<string, readonly string[]>>;
  /** Extra tags for every resource of this account. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface LayerOptions {
  /** A disabled layer is not synthesized; a layer reading from it is refused. @default true */
  readonly enabled?: boolean;
  /** Region of this layer's resources (the state stays in the account's backend). @default the account's region */
  readonly region?: string;
}

/** What a file `projects/<project>/<account>/<layer>.ts` exports as default. */
export interface LayerDeclaration<C = unknown> {
  readonly kind: LayerKind<C>;
  readonly config: C;
  readonly enabled: boolean;
  readonly region?: string;
}

export function defineProject(config: ProjectConfig): ProjectConfig {
  return config;
}

export function defineAccount(config: AccountConfig): AccountConfig {
  return config;
}

/** Declares one layer of an account: which generic layer class, configured how. */
export function defineLayer<C>(kind: LayerKind<C>, config: C, options: LayerOptions = {}): LayerDeclaration<C> {
  return { kind, config, enabled: options.enabled ?? true, region: options.region };
}
