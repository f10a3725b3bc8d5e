import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { CognitoUserPoolDomain } from '@cdktf/provider-aws/lib/cognito-user-pool-domain';
import { Token, type TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { globalNameProblem } from '../lib/naming';
import { awsName, FieldProblems, integerBetween, oneOf } from '../lib/validators';
import { refuseProblems } from './prop-problems';

/** Cognito's threat protection (advanced security): `ENFORCED` blocks risky sign-ins, `AUDIT` only reports them. */
export type ThreatProtection = 'ENFORCED' | 'AUDIT' | 'OFF';
const THREAT_PROTECTION: readonly ThreatProtection[] = ['ENFORCED', 'AUDIT', 'OFF'];

/** The shortest password this project accepts, above Cognito's own minimum of 6 (NIST SP 800-63B favours length). */
export const MIN_PASSWORD_LENGTH = 14;

export interface UserPoolProps {
  /** Pool name, `<prefix>-users` like every other name of the layer (1 to 128 characters). */
  readonly name: string;
  /** Shortest password accepted; every character class is required too. @default 14 (and never less) */
  readonly minimumPasswordLength?: number;
  /** Let users sign themselves up; otherwise only administrators create users. @default false */
  readonly selfSignUp?: boolean;
  /**
   * Threat protection of sign-ins (compromised credentials, risky sign-ins). Anything but `OFF` needs the Plus feature
   * plan, billed per monthly active user. @default 'ENFORCED'
   */
  readonly threatProtection?: ThreatProtection;
  /**
   * Prefix of the hosted UI domain `<prefix>.auth.<region>.amazoncognito.com`. Prefixes are shared with every AWS
   * customer of the region: derive it with `LayerStack.globalName('cognito-domain', ...)`. @default - no hosted UI
   */
  readonly domainPrefix?: string;
  /** Deletion protection and `prevent_destroy` (deleting a pool deletes its users). @default true */
  readonly protect?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

export interface UserPoolClientProps {
  /** App client name (1 to 128 characters). */
  readonly name: string;
  /**
   * Where the hosted UI returns the authorization code (OAuth code flow with PKCE, scopes `openid email profile`):
   * https URLs, or http only for localhost. @default - no OAuth flow (the app signs in with SRP)
   */
  readonly callbackUrls?: readonly string[];
  /** Where the hosted UI returns after sign-out. @default callbackUrls */
  readonly logoutUrls?: readonly string[];
  /** Lifetime of access and ID tokens, minutes (5 to 1440). @default 60 */
  readonly tokenValidityMinutes?: number;
  /** Lifetime of refresh tokens, days (1 to 3650). @default 30 */
  readonly refreshTokenValidityDays?: number;
}

/** A callback or sign-out URL the hosted UI accepts: https, or http for localhost only. */
function urlProblem(url: string): string | undefined {
  if (/^https:\/\/[^\s/]+(\/\S*)?$/.test(url) || /^http:\/\/localhost(:\d+)?(\/\S*)?$/.test(url)) return undefined;
  return `"${url}" must be an https:// URL (http is allowed only for localhost)`;
}

/**
 * Problems of the pool props that need no AWS, by prop name: the project's password floor and the hosted UI prefix
 * rules of the namespace every AWS customer of the region shares.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html
 */
export function userPoolPropProblems(props: Partial<UserPoolProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) problems.check('name', awsName(props.name, { maxLength: 128, pattern: /^[\w\s+=,.@-]+$/u }));
  const min = props.minimumPasswordLength ?? MIN_PASSWORD_LENGTH;
  if (!Number.isInteger(min) || min < MIN_PASSWORD_LENGTH || min > 99) problems.add('minimumPasswordLength', `${min} must be between ${MIN_PASSWORD_LENGTH} and 99`);
  if (props.threatProtection !== undefined) problems.check('threatProtection', oneOf(props.threatProtection, THREAT_PROTECTION));
  if (props.domainPrefix !== undefined && !Token.isUnresolved(props.domainPrefix)) problems.check('domainPrefix', globalNameProblem('cognito-domain', props.domainPrefix));
  return problems.list;
}

/** Problems of an app client's props that need no AWS, by prop name. */
export function userPoolClientPropProblems(props: Partial<UserPoolClientProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) problems.check('name', awsName(props.name, { maxLength: 128, pattern: /^[\w\s+=,.@-]+$/u }));
  if (props.callbackUrls !== undefined && props.callbackUrls.length === 0) problems.add('callbackUrls', 'lists no URL');
  for (const field of ['callbackUrls', 'logoutUrls'] as const) {
    (props[field] ?? []).forEach((url, i) => problems.check(`${field}[${i}]`, urlProblem(url)));
  }
  if (props.tokenValidityMinutes !== undefined) problems.check('tokenValidityMinutes', integerBetween(props.tokenValidityMinutes, 5, 1440, 'minutes'));
  if (props.refreshTokenValidityDays !== undefined) problems.check('refreshTokenValidityDays', integerBetween(props.refreshTokenValidityDays, 1, 3650, 'days'));
  return problems.list;
}

/**
 * A Cognito user pool with the settings both front ends of the project share: e-mail as the username (verified,
 * the recovery channel), optional TOTP MFA, threat protection enforced, a long password with every character class
 * and a history of 5, administrator-created users unless self sign-up is asked for, deletion protection, and
 * optionally a hosted UI domain. Clients are added with `addClient`.
 *
 * The pool, its domain and its clients are created directly in `scope` with ids `<id>`, `<id>-domain` and the ids given
 * to `addClient` (the flat addresses the layers gave them before this module existed): adopting it moves no resource.
 */
export class UserPool {
  readonly pool: CognitoUserPool;
  readonly id: string;
  readonly arn: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: the issuer of the pool's tokens (a JWT authorizer trusts it). */
  readonly issuer: string;
  readonly domain?: CognitoUserPoolDomain;

  constructor(private readonly scope: Construct, id: string, private readonly props: UserPoolProps & { readonly region: string }) {
    refuseProblems(scope, id, userPoolPropProblems(props));
    const protect = props.protect ?? true;
    const threatProtection = props.threatProtection ?? 'ENFORCED';
    this.pool = new CognitoUserPool(scope, id, {
      provider: props.provider,
      name: props.name,
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      mfaConfiguration: 'OPTIONAL',
      softwareTokenMfaConfiguration: { enabled: true },
      // Threat protection needs the Plus feature plan; password history needs Essentials at least.
      userPoolTier: threatProtection === 'OFF' ? 'ESSENTIALS' : 'PLUS',
      userPoolAddOns: threatProtection === 'OFF' ? undefined : { advancedSecurityMode: threatProtection },
      passwordPolicy: {
        minimumLength: props.minimumPasswordLength ?? MIN_PASSWORD_LENGTH,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: 3,
        passwordHistorySize: 5,
      },
      adminCreateUserConfig: { allowAdminCreateUserOnly: !(props.selfSignUp ?? false) },
      accountRecoverySetting: { recoveryMechanism: [{ name: 'verified_email', priority: 1 }] },
      deletionProtection: protect ? 'ACTIVE' : 'INACTIVE',
      lifecycle: { preventDestroy: protect },
    });
    this.id = this.pool.id;
    this.arn = this.pool.arn;
    this.issuer = `https://cognito-idp.${props.region}.amazonaws.com/${this.pool.id}`;
    if (props.domainPrefix !== undefined) {
      this.domain = new CognitoUserPoolDomain(scope, `${id}-domain`, { provider: props.provider, domain: props.domainPrefix, userPoolId: this.pool.id });
    }
  }

  /** `<prefix>.auth.<region>.amazoncognito.com`, the hosted UI; undefined without a domain prefix. */
  get hostedUiDomain(): string | undefined {
    return this.props.domainPrefix === undefined ? undefined : `${this.props.domainPrefix}.auth.${this.props.region}.amazoncognito.com`;
  }

  /**
   * An app client without a secret (a browser or mobile app cannot keep one): SRP sign-in and refresh tokens, token
   * revocation, no user-existence errors, and the OAuth code flow through the hosted UI when callbacks are given.
   * Created in the pool's scope with the id given (its Terraform address in a layer).
   */
  addClient(id: string, props: UserPoolClientProps): CognitoUserPoolClient {
    refuseProblems(this.scope, id, userPoolClientPropProblems(props));
    const oauth = props.callbackUrls !== undefined;
    const tokenMinutes = props.tokenValidityMinutes ?? 60;
    return new CognitoUserPoolClient(this.scope, id, {
      provider: this.props.provider,
      name: props.name,
      userPoolId: this.pool.id,
      generateSecret: false,
      allowedOauthFlowsUserPoolClient: oauth ? true : undefined,
      allowedOauthFlows: oauth ? ['code'] : undefined,
      allowedOauthScopes: oauth ? ['openid', 'email', 'profile'] : undefined,
      callbackUrls: oauth ? [...props.callbackUrls!] : undefined,
      logoutUrls: oauth ? [...(props.logoutUrls ?? props.callbackUrls!)] : undefined,
      supportedIdentityProviders: oauth ? ['COGNITO'] : undefined,
      explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      preventUserExistenceErrors: 'ENABLED',
      enableTokenRevocation: true,
      accessTokenValidity: tokenMinutes,
      idTokenValidity: tokenMinutes,
      refreshTokenValidity: props.refreshTokenValidityDays ?? 30,
      tokenValidityUnits: [{ accessToken: 'minutes', idToken: 'minutes', refreshToken: 'days' }],
    });
  }
}
