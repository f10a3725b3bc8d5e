/**
 * What `make new-layer KIND=<kind>` writes for each layer kind of layers/: the smallest config that validates in the
 * place it is written, derived from the organisation where it can be (a free VPC range, the sub-zone of the public
 * zone, the accounts attached to the hub) and marked as an input where only the user has the value (certificate
 * ARNs, Identity Center ids, add-on versions, images). Kept here, keyed by kind name (the file name in layers/), rather
 * than as statics on the layer classes; test/unit/scaffold-kinds.test.ts checks that every kind has an entry and that
 * each entry validates and synthesizes where the example organisation declares that kind.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { AnyContract } from '../../lib/contract';
import { fromLayer } from '../../lib/layer-ref';
import { contains, mustParseCidr, overlaps, parseCidr, type Cidr } from '../../lib/cidr';
import type { LayerDeclaration } from '../../lib/config';
import { LayerStack, type LayerKind } from '../../lib/layer-stack';
import type { Organisation, ResolvedAccount } from '../../lib/model';
import { layerContext } from '../../lib/organisation';
import { EKS_ADDON_NAMES, EKS_KUBERNETES_VERSIONS, eksAddonRelease } from '../../lib/versions';
import { DEFAULT_OUS } from '../../layers/organizations';
import { REPO_ROOT } from './paths';
import { Code, input, type ImportSpec } from './scaffold-source';

/** Where a layer is about to be written. */
export interface Place {
  /** The organisation as the sandbox sees it: every account, pending ones included (with offline ids). */
  readonly org: Organisation;
  /** Accounts that have a real id (a layer naming a pending account would fail a real synth). */
  readonly idAccounts: readonly string[];
  readonly account: ResolvedAccount;
  readonly layer: string;
  /** Region of the layer's resources. */
  readonly region: string;
}

export interface KindTemplate {
  /** One line for `make new-layer` without KIND. */
  readonly summary: string;
  readonly config: (place: Place) => Record<string, unknown>;
  /** Region of the layer when it is not the account's. @default the account's region */
  readonly region?: (place: Place) => string | undefined;
  readonly comment?: (place: Place) => string | undefined;
}

// ------------------------------------------------------------------ what the templates read from the organisation

/** Layer kinds by name (file name in layers/), loaded from the layer files of `root`. */
export function layerKinds(root: string = REPO_ROOT): Map<string, { kind: LayerKind<unknown>; spec: ImportSpec }> {
  const kinds = new Map<string, { kind: LayerKind<unknown>; spec: ImportSpec }>();
  const dir = path.join(root, 'layers');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort()) {
    const name = file.slice(0, -3);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- every layer module, to find its class
    const mod = require(path.join(dir, file)) as Record<string, unknown>;
    for (const [exported, value] of Object.entries(mod)) {
      if (isLayerClass(value)) kinds.set(name, { kind: value, spec: { name: exported, from: `layers/${name}` } });
    }
  }
  return kinds;
}

function isLayerClass(value: unknown): value is LayerKind<unknown> {
  return typeof value === 'function' && value.prototype instanceof LayerStack;
}

/** The module and export name of a value exported by a layer file (a contract), for an import line. */
function exportOf(value: unknown, root: string = REPO_ROOT): ImportSpec {
  const dir = path.join(root, 'layers');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- already loaded by layerKinds
    const mod = require(path.join(dir, file)) as Record<string, unknown>;
    const name = Object.keys(mod).find((k) => mod[k] === value);
    if (name) return { name, from: `layers/${file.slice(0, -3)}` };
  }
  throw new Error('scaffold: value is not exported by any layer file');
}

/** `fromLayer(contract, output, { account })` as code, with its value. */
function ref(contract: AnyContract, output: string, options: { account?: string; layer?: string } = {}): Code {
  const contractSpec = exportOf(contract);
  const opts = Object.entries(options).filter(([, v]) => v !== undefined);
  const optionsText = opts.length > 0 ? `, { ${opts.map(([k, v]) => `${k}: '${v}'`).join(', ')} }` : '';
  return new Code(`fromLayer(${contractSpec.name}, '${output}'${optionsText})`, fromLayer(contract, output, Object.fromEntries(opts)),
    [{ name: 'fromLayer', from: 'lib/layer-ref' }, contractSpec]);
}

/** Enabled declarations of a kind (by contract name) across the organisation. */
function declared(org: Organisation, contract: string): { account: ResolvedAccount; layer: string; declaration: LayerDeclaration }[] {
  return [...org.accounts.values()].flatMap((account) => [...account.layers.entries()]
    .filter(([, d]) => d.enabled && d.kind.contract?.name === contract)
    .map(([layer, declaration]) => ({ account, layer, declaration })));
}

const PRIVATE_BLOCKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(mustParseCidr);

/** Every range a layer of the organisation claims (LayerKind.networks), in any region. */
export function claimedRanges(org: Organisation): Cidr[] {
  return [...org.accounts.values()].flatMap((account) => [...account.layers.entries()]
    .filter(([, d]) => d.enabled)
    .flatMap(([layer, d]) => (d.kind.networks?.(d.config, layerContext(org, account, layer, d)) ?? [])
      .map((claim) => parseCidr(claim.cidr))
      .filter((c): c is Cidr => typeof c !== 'string')));
}

/** The RFC 1918 block holding the organisation's first claimed range (10.0.0.0/8 when it claims none). */
export function privateBlock(org: Organisation): Cidr {
  const first = claimedRanges(org)[0];
  return PRIVATE_BLOCKS.find((b) => first !== undefined && contains(b, first)) ?? PRIVATE_BLOCKS[0];
}

/** The first /16 of the organisation's private block that no layer claims, in any account or region. */
export function freeVpcCidr(org: Organisation): string {
  const claimed = claimedRanges(org);
  const block = privateBlock(org);
  for (let base = block.base; base < block.base + 2 ** (32 - block.prefix); base += 2 ** 16) {
    const candidate = mustParseCidr(`${base >>> 24}.${(base >>> 16) & 255}.0.0/16`);
    if (!claimed.some((c) => overlaps(c, candidate))) return candidate.text;
  }
  throw new Error(`scaffold: no free /16 left in ${block.text}; pass VPC=<cidr>`);
}

/** The newest EKS version still in standard support (lib/versions.ts lists them newest first). */
function newestEksVersion(today = new Date().toISOString().slice(0, 10)): string {
  return (EKS_KUBERNETES_VERSIONS.find((v) => v.endOfStandardSupport > today) ?? EKS_KUBERNETES_VERSIONS[0]).version;
}

/** OU of an account for a new organizations layer: the one named after its environment, else `workloads`. */
function ouFor(account: ResolvedAccount, ous: readonly string[]): string {
  return ous.find((ou) => ou.split('/').pop() === account.environment) ?? (ous.includes(account.environment) ? account.environment : 'workloads');
}

function publicZoneOf(org: Organisation): string | undefined {
  const dns = declared(org, 'dns')[0];
  return (dns?.declaration.config as { publicZones?: readonly { name: string }[] } | undefined)?.publicZones?.[0]?.name;
}

function zoneOfAccount(place: Place): string | undefined {
  const zone = [...place.account.layers.values()].find((d) => d.enabled && d.kind.contract?.name === 'dns-zone');
  return (zone?.config as { zoneName?: string } | undefined)?.zoneName;
}

/** The first enabled layer of the place's account publishing `contract`. */
function inAccount(place: Place, contract: string): { layer: string; declaration: LayerDeclaration } | undefined {
  const found = [...place.account.layers.entries()].find(([, d]) => d.enabled && d.kind.contract?.name === contract);
  return found && { layer: found[0], declaration: found[1] };
}

/** `layer` for fromLayer options, left out when it is the contract's default name. */
const layerOption = (layer: string, contract: string): string | undefined => (layer === contract ? undefined : layer);

/** The first /22 of the private blocks (outside the organisation's own block first) that no layer claims: a client VPN range. */
export function freeClientCidr(org: Organisation): string {
  const claimed = claimedRanges(org);
  const own = privateBlock(org);
  for (const block of [...PRIVATE_BLOCKS.filter((b) => b !== own), own]) {
    for (let base = block.base; base < block.base + 2 ** (32 - block.prefix); base += 2 ** 10) {
      const candidate = mustParseCidr(`${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.0/22`);
      if (!claimed.some((c) => overlaps(c, candidate))) return candidate.text;
    }
  }
  throw new Error('scaffold: no free /22 left for the client range; set clientCidr by hand');
}

/** The Identity Center group of the organisation's identities layer that client VPN rules open networks to. */
function vpnGroup(place: Place): unknown {
  const groups = Object.keys((declared(place.org, 'identities')[0]?.declaration.config as { groups?: Record<string, string> } | undefined)?.groups ?? {});
  return groups.includes('devops') ? 'devops' : groups[0] ?? input('Identity Center group (a group of the identities layer) whose members may connect', 'devops');
}

const acmExample = (place: Place): string => `arn:aws:acm:${place.region}:${place.account.id}:certificate/00000000-0000-4000-8000-000000000000`;
const certificateInput = (place: Place) => input(`ACM certificate ARN for the load balancer, issued in ${place.region}`, acmExample(place));

// ------------------------------------------------------------------ the table

export const KIND_TEMPLATES: Readonly<Record<string, KindTemplate>> = {
  'base-tf-backend': {
    summary: 'state bucket and lock table of the account (every account)',
    config: () => ({}),
  },
  security: {
    summary: 'account baseline: password policy, EBS encryption, keys, roles trusted by the identity account (every account)',
    config: () => ({}),
  },
  compliance: {
    summary: 'AWS Config recorder delivering to the audit account (every account but the audit one)',
    config: () => ({}),
    comment: () => 'AWS Config of this account, delivered to the security account\'s log archive.',
  },
  'base-network': {
    summary: 'VPC over three AZs with public, private and database subnets and flow logs',
    config: (place) => ({ vpcCidr: freeVpcCidr(place.org), natGateways: 'single' }),
    comment: (place) => `vpcCidr: the first /16 of ${privateBlock(place.org).text} no layer claimed when this file was written. ` +
      'natGateways: \'one-per-az\' keeps egress up when an AZ fails (production).',
  },
  'transit-attachment': {
    summary: 'attaches the account VPC to the network hub (list it in network-hub-routes too, then add transit-routes)',
    config: () => ({}),
    comment: () => 'Attaches this account\'s VPC to the network account\'s hub; network-hub-routes accepts it, transit-routes routes to it.',
  },
  'transit-routes': {
    summary: 'routes from the account VPC to the network hub, after network-hub-routes accepts its attachment',
    config: (place) => ({ destinations: [privateBlock(place.org).text] }),
    comment: () => 'Routes the organisation\'s ranges to the hub once network-hub-routes has accepted this account\'s attachment.',
  },
  'network-hub': {
    summary: 'transit gateway shared with the organisation, one route table per routing domain',
    config: (place) => {
      const organizations = declared(place.org, 'organizations')[0];
      return {
        shareWith: organizations
          ? ref(organizations.declaration.kind.contract!, 'organization_arn', { account: organizations.account.name })
          : input('ARN of the organisation or OU to share the hub with', 'arn:aws:organizations::111111111111:organization/o-exampleorg1'),
        routeTables: ['shared'],
      };
    },
  },
  'network-hub-routes': {
    summary: 'accepts and routes the transit attachments of every account into its routing domain',
    config: (place) => {
      const hub = [...place.account.layers.values()].find((d) => d.enabled && d.kind.contract?.name === 'network-hub');
      // The inspection table of a network-firewall layer of the account routes inspected traffic back: no domain.
      const inspection = declared(place.org, 'network-firewall').filter((f) => f.account.name === place.account.name)
        .map((f) => (f.declaration.config as { hubRouteTable?: string }).hubRouteTable ?? 'inspection');
      const domains = ((hub?.config as { routeTables?: readonly string[] } | undefined)?.routeTables ?? ['shared']).filter((d) => !inspection.includes(d));
      const attachments = declared(place.org, 'transit-attachment')
        .filter((a) => place.idAccounts.includes(a.account.name))
        .map((a) => ({ account: a.account.name, domain: domains.includes(a.account.environment) ? a.account.environment : domains[0] }));
      return { attachments, reachability: Object.fromEntries(domains.map((d) => [d, [d]])) };
    },
    comment: () => 'Each domain reaches only itself: widen reachability where accounts must talk.',
  },
  'network-firewall': {
    summary: 'inspection VPC behind the hub with AWS Network Firewall: domain allow-list for egress, traffic between domains inspected (hub account)',
    config: (place) => {
      const hub = inAccount(place, 'network-hub');
      const tables = (hub?.declaration.config as { routeTables?: readonly string[] } | undefined)?.routeTables ?? [];
      const free = mustParseCidr(freeVpcCidr(place.org));
      return {
        vpcCidr: `${free.text.split('/')[0]}/24`,
        allowedDomains: ['.amazonaws.com'],
        ...(tables.includes('inspection') ? {} : { hubRouteTable: input('route table of network-hub for the inspection VPC (add it to its routeTables)', 'inspection') }),
      };
    },
    comment: () => 'network-hub-routes routes the domains through it once this layer exists; list the domains your workloads reach (docs/network-access.md).',
  },
  'client-vpn': {
    summary: 'AWS Client VPN with IAM Identity Center (SAML), split tunnel, routed through the hub (network account)',
    config: (place) => ({
      clientCidr: freeClientCidr(place.org),
      saml: { metadataFile: new Code('PENDING_SAML_METADATA', 'pending', [{ name: 'PENDING_SAML_METADATA', from: 'layers/client-vpn' }]) },
      serverCertificate: zoneOfAccount(place)
        ? { subdomain: 'vpn' }
        : { arn: input(`ACM certificate ARN (RSA 2048) for the endpoint, in ${place.region}`, acmExample(place)) },
      access: [{ account: place.account.name, groups: [vpnGroup(place)] }],
    }),
    comment: () => 'The Identity Center application\'s metadata is pending: commit its XML beside this file and set metadataFile (docs/network-access.md).',
  },
  dns: {
    summary: 'public zone delegating to each account\'s dns-zone',
    config: (place) => ({
      publicZones: [{
        name: input('public domain the organisation owns, e.g. example.com', publicZoneOf(place.org) ?? `${place.org.project.name}.example.com`),
        delegations: declared(place.org, 'dns-zone').filter((z) => place.idAccounts.includes(z.account.name)).map((z) => ({ account: z.account.name })),
      }],
    }),
  },
  'dns-association': {
    summary: 'associates the account VPC with the shared private zones that authorise it (after dns)',
    config: () => ({}),
    comment: () => 'Resolves the shared account\'s private zones from this account\'s VPC; list the account in the zone\'s vpcs in the dns layer.',
  },
  'dns-zone': {
    summary: 'public sub-zone of the account (<environment>.<public zone>)',
    config: (place) => {
      const parent = publicZoneOf(place.org);
      return { zoneName: parent ? `${place.account.environment}.${parent}` : input('sub-zone name, e.g. dev.example.com', `${place.account.environment}.example.com`) };
    },
    comment: () => 'Sub-zone of this account; the dns layer delegates it (add { account } to its delegations).',
  },
  cdn: {
    summary: 'CloudFront over a private S3 origin, ACM and WAF in us-east-1, on the account\'s sub-zone',
    config: (place) => {
      const zone = zoneOfAccount(place);
      return {
        domainNames: [zone ? `app.${zone}` : input('site name in the account\'s sub-zone', 'app.example.com')],
        contentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'",
      };
    },
  },
  'container-registry': {
    summary: 'ECR repositories pulled by the workload accounts',
    config: (place) => ({ repositories: [{ name: `${place.org.project.name}/app` }] }),
  },
  databases: {
    summary: 'DynamoDB to start with; add aurora, cache and consumers as needed',
    config: () => ({ consumers: {}, dynamodb: { tables: [{ name: 'items', partitionKey: { name: 'pk' } }] } }),
    comment: () => 'Aurora, ElastiCache and DAX need consumers (cidrBlocks or securityGroups) that may reach them.',
  },
  'data-lake': {
    summary: 'raw, curated and analytics buckets, Kinesis, Firehose, Glue, Lake Formation, Athena',
    config: () => ({}),
    comment: () => 'Lake Formation admins: the deploy role and the data-lake-admin role this layer creates (adminPermissionSets).',
  },
  dr: {
    summary: 'pilot light in the project\'s DR region (needs base-network-dr there) with Route 53 failover of origin.<zone>',
    // Failover is part of the minimum: without it the pilot light's load balancer has no certificate, only HTTP.
    config: (place) => {
      const primary = inAccount(place, 'multi-tier');
      const primaryRef = (output: string, what: string, example: string) => (primary
        ? ref(primary.declaration.kind.contract!, output, { layer: layerOption(primary.layer, 'multi-tier') })
        : input(what, example));
      return {
        failover: {
          subdomain: 'origin',
          primaryDnsName: primaryRef('web_alb_dns_name', 'DNS name of the primary load balancer', 'primary-123.us-east-1.elb.amazonaws.com'),
          primaryZoneId: primaryRef('web_alb_zone_id', 'zone id of the primary load balancer', 'Z35SXDOTRQ7X7K'),
          primaryListenerArn: primaryRef('web_https_listener_arn', 'HTTPS listener ARN of the primary load balancer',
            `arn:aws:elasticloadbalancing:${place.account.region}:${place.account.id}:listener/app/primary/0123456789abcdef/0123456789abcdef`),
        },
      };
    },
    region: (place) => place.org.project.drRegion,
  },
  eks: {
    summary: 'private EKS cluster with one on-demand node group, its add-ons at the versions lib/versions.ts pins',
    config: (place) => {
      const version = newestEksVersion();
      // The add-ons follow the row of EKS_ADDON_VERSIONS for the version; without a row the layer needs every version.
      const addonVersions = eksAddonRelease(version) ? {} : {
        addonVersions: Object.fromEntries(Object.entries(EKS_ADDON_NAMES).map(([key, name]) => [
          key,
          input(`${name} version for Kubernetes ${version} (aws eks describe-addon-versions --kubernetes-version ${version} --addon-name ${name})`,
            key === 'kubeProxy' ? `v${version}.0-eksbuild.1` : 'v1.0.0-eksbuild.1'),
        ])),
      };
      return {
        kubernetesVersion: version,
        ...addonVersions,
        nodeGroups: [{ name: 'default', capacityType: 'ON_DEMAND', instanceTypes: ['m7i.large'], minSize: 2, maxSize: 6, desiredSize: 2 }],
        ...(place.account.layers.get('security')?.enabled ? { kmsKeySource: 'security-layer' } : {}),
      };
    },
  },
  fargate: {
    summary: 'ECS cluster behind an HTTPS ALB with WAF, one service',
    config: (place) => ({
      certificateArn: certificateInput(place),
      services: [{
        name: 'app',
        image: input('container image, registry/repository:tag', `${place.account.id}.dkr.ecr.${place.region}.amazonaws.com/${place.org.project.name}/app:1.0.0`),
        cpu: 256,
        memory: 512,
        port: 8080,
        desiredCount: 2,
        healthCheckPath: '/',
      }],
    }),
  },
  'multi-tier': {
    summary: 'web and app Auto Scaling tiers behind a public and an internal ALB',
    config: (place) => ({
      certificateArn: certificateInput(place),
      web: { instanceType: 'm7i.large', minSize: 1, desiredCapacity: 2, maxSize: 4 },
      app: { instanceType: 'm7i.large', minSize: 1, desiredCapacity: 2, maxSize: 4 },
    }),
  },
  serverless: {
    summary: 'HTTP API, Lambda functions, DynamoDB stream, SQS, SNS, EventBridge, Step Functions',
    config: () => ({
      functions: {
        api: { reservedConcurrency: 5 },
        writer: { reservedConcurrency: 2 },
        stream: { reservedConcurrency: 2 },
        validate: { reservedConcurrency: 2 },
        process: { reservedConcurrency: 2 },
      },
      throttling: { burstLimit: 50, rateLimit: 20 },
    }),
  },
  'developer-platform': {
    summary: 'Backstage on Fargate with Aurora, provisioning into accounts with platform-access',
    config: (place) => ({
      certificateArn: certificateInput(place),
      backstage: { imageTag: input('tag of the Backstage image pushed to the repository this layer creates', '1.0.0') },
    }),
  },
  secrets: {
    summary: 'Secrets Manager secrets (containers only: values are put out of band), read by the layers that reference them',
    config: (place) => ({
      secrets: [{
        name: input('secret name, e.g. api/database', 'app/config'),
        description: input('what the value is and who puts it', 'Configuration of the app; put by the platform team'),
        readers: [input('IAM role ARN that reads the value (or reference the secret with fromSecrets(...) in the reading layer)', `arn:aws:iam::${place.account.id}:role/app`)],
      }],
    }),
    comment: () => 'Only the containers are created: put each value with aws secretsmanager put-secret-value (docs/workloads.md).',
  },
  'platform-access': {
    summary: 'roles the developer platform assumes to provision into this account',
    config: () => ({}),
  },
  organizations: {
    summary: 'the organisation, OUs, member accounts and SCPs (management account)',
    config: (place) => {
      const ous = DEFAULT_OUS;
      const members = [...place.org.accounts.values()].filter((a) => a.name !== place.account.name);
      return { accountOus: Object.fromEntries(members.map((a) => [a.name, ouFor(a, ous)])) };
    },
  },
  identities: {
    summary: 'IAM Identity Center groups, permission sets and assignments (management account)',
    config: (place) => ({
      instanceArn: input('Identity Center instance ARN, arn:aws:sso:::instance/ssoins-…', 'arn:aws:sso:::instance/ssoins-0123456789abcdef'),
      identityStoreId: input('identity store id, d-…', 'd-0123456789'),
      groups: { administrators: 'Break-glass administrators', devops: 'Platform engineers' },
      assignments: Object.fromEntries(place.idAccounts.map((a) => [a, { administrators: ['Administrator'], devops: ['DevOps'] }])),
    }),
  },
  cost: {
    summary: 'budgets, cost anomaly alerts and the CUR 2.0 export of the organisation (management account)',
    config: () => ({}),
    comment: () => 'Budgets of 100 USD a month per account (defaultMonthlyUsd), cost anomaly alerts from 100 USD, a CUR 2.0 export; add notificationEmails to receive the alerts.',
  },
  backup: {
    summary: 'AWS Backup vaults (locked, KMS, DR-region copy) and role; plans from the organisation backup policy or its own',
    config: () => ({}),
    comment: () => 'Resources tagged BackupPlan=standard are backed up: by the organisation backup policy covering this account, else by this layer\'s own plans.',
  },
  audit: {
    summary: 'organisation trail, log archive, Config delivery bucket, CIS alarms (security account)',
    config: () => ({}),
  },
  monitoring: {
    summary: 'GuardDuty, Security Hub, Config aggregator, Access Analyzer (security account)',
    config: () => ({}),
  },
};
