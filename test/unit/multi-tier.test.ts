import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { Testing } from 'cdktf';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { buildOrganisation, readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { ConfigError } from '../../lib/problems';
import { BaseNetwork } from '../../layers/base-network';
import { DnsZone } from '../../layers/dns-zone';
import { MultiTier, type MultiTierConfig } from '../../layers/multi-tier';
import { AL2023_IMAGE, SSM_CORE_POLICY } from '../../modules/auto-scaling-tier';
import { account, build, parsed, REAL, resources, source, synthStack } from '../helpers';

const CERT = 'arn:aws:acm:us-east-1:555555555555:certificate/0d2c5e1a-1111-4a2b-9c3d-000000000001';

function config(overrides: Partial<MultiTierConfig> = {}): MultiTierConfig {
  return {
    certificateArn: CERT,
    web: { instanceType: 't3.small', minSize: 1, desiredCapacity: 1, maxSize: 2 },
    app: { instanceType: 't3.small', minSize: 1, desiredCapacity: 1, maxSize: 2 },
    ...overrides,
  };
}

function org(cfg: MultiTierConfig, environment = 'devstg', extra: Record<string, unknown> = {}) {
  const name = environment === 'prd' ? 'apps-prd' : 'apps-devstg';
  return source({
    [name]: {
      config: account({ environment }),
      layers: {
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.30.0.0/16', natGateways: 'single' as const }),
        'dns-zone': defineLayer(DnsZone, { zoneName: `${environment}.acme.example.com` }),
        'multi-tier': defineLayer(MultiTier, cfg),
        ...extra,
      },
    },
  });
}

const synth = (cfg: MultiTierConfig = config(), environment = 'devstg') =>
  synthStack(org(cfg, environment), `test-${environment === 'prd' ? 'apps-prd' : 'apps-devstg'}-multi-tier`);

function refusal(cfg: MultiTierConfig, extra: Record<string, unknown> = {}): string {
  try {
    build(org(cfg, 'devstg', extra));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

/** `${aws_security_group.<key>.id}` of the security group with this name. */
function sgRef(tf: string, name: string): string {
  const groups = parsed(tf).resource.aws_security_group ?? {};
  const key = Object.keys(groups).find((k) => groups[k].name === name);
  if (!key) throw new Error(`no security group ${name}`);
  return `\${aws_security_group.${key}.id}`;
}

describe('multi-tier', () => {
  const devstg = synth();

  it('launch templates require IMDSv2, never give a public IP or key pair, encrypt gp3 root volumes, resolve AL2023 from SSM', () => {
    const templates = resources(devstg, 'aws_launch_template');
    expect(templates).toHaveLength(2);
    for (const lt of templates) {
      expect(lt).toMatchObject({
        image_id: AL2023_IMAGE,
        metadata_options: { http_tokens: 'required', http_endpoint: 'enabled', http_put_response_hop_limit: 1 },
        network_interfaces: [expect.objectContaining({ associate_public_ip_address: 'false' })],
        block_device_mappings: [{ device_name: '/dev/xvda', ebs: expect.objectContaining({ volume_type: 'gp3', encrypted: 'true', kms_key_id: expect.stringContaining('aws_kms_key') }) }],
      });
      expect(lt).not.toHaveProperty('key_name');
    }
    expect(devstg).toHaveResourceWithProperties(LaunchTemplate, { image_id: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' });
    // No AWS look-ups: the only data source is the remote state of base-network.
    expect(Object.keys(parsed(devstg).data ?? {})).toEqual(['terraform_remote_state']);
  });

  it('gives instances an SSM-only profile: AmazonSSMManagedInstanceCore and nothing else', () => {
    const attachments = resources(devstg, 'aws_iam_role_policy_attachment');
    expect(attachments).toHaveLength(2);
    for (const a of attachments) expect(a.policy_arn).toBe(SSM_CORE_POLICY);
    expect(resources(devstg, 'aws_iam_role_policy')).toHaveLength(0);
    expect(resources(devstg, 'aws_iam_instance_profile')).toHaveLength(2);
  });

  it('spreads both Auto Scaling groups over the private subnets of base-network with ELB health checks', () => {
    const groups = resources(devstg, 'aws_autoscaling_group');
    expect(groups).toHaveLength(2);
    for (const g of groups) {
      expect(g.vpc_zone_identifier).toBe('${data.terraform_remote_state.remote-apps-devstg-base-network.outputs.private_subnet_ids}');
      expect(g).toMatchObject({ health_check_type: 'ELB', target_group_arns: [expect.stringContaining('aws_lb_target_group')] });
    }
  });

  it('puts the web tier behind a public HTTPS-only ALB (TLS 1.2+, redirect, invalid headers dropped, access logs) and the app tier behind an internal one', () => {
    expect(devstg).toHaveResourceWithProperties(Lb, {
      name: 'test-apps-devstg-web',
      internal: false,
      load_balancer_type: 'application',
      drop_invalid_header_fields: true,
      subnets: '${data.terraform_remote_state.remote-apps-devstg-base-network.outputs.public_subnet_ids}',
      access_logs: { enabled: true, bucket: expect.any(String), prefix: 'alb/web' },
    });
    expect(devstg).toHaveResourceWithProperties(Lb, {
      name: 'test-apps-devstg-app',
      internal: true,
      drop_invalid_header_fields: true,
      subnets: '${data.terraform_remote_state.remote-apps-devstg-base-network.outputs.private_subnet_ids}',
    });
    expect(devstg).toHaveResourceWithProperties(LbListener, {
      port: 443, protocol: 'HTTPS', certificate_arn: CERT, ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      default_action: [expect.objectContaining({ type: 'forward' })],
    });
    expect(devstg).toHaveResourceWithProperties(LbListener, {
      port: 80, protocol: 'HTTP', default_action: [expect.objectContaining({ type: 'redirect', redirect: expect.objectContaining({ protocol: 'HTTPS', status_code: 'HTTP_301' }) })],
    });
    const [sse] = resources(devstg, 'aws_s3_bucket_server_side_encryption_configuration');
    expect(JSON.stringify(sse)).toContain('AES256'); // ALB log delivery supports SSE-S3 only
    // Reading or deleting the ALB logs is itself logged, into a separate SSE-S3 log-target bucket.
    expect(resources(devstg, 'aws_s3_bucket_logging')).toEqual([expect.objectContaining({ target_prefix: 'alb-access-logs/' })]);
    // Bucket names are global across AWS customers: both end with the account id.
    const [id] = parsed(devstg).provider.aws[0].allowed_account_ids as string[];
    expect(resources(devstg, 'aws_s3_bucket').map((b) => b.bucket).sort()).toEqual([`test-apps-devstg-alb-access-logs-us-east-1-${id}`, `test-apps-devstg-alb-logs-access-us-east-1-${id}`]);
    // ELB checks its write access when logging is switched on: both ALBs wait for the bucket policy.
    for (const lb of resources(devstg, 'aws_lb')) expect(lb.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\./)]);
  });

  it('lets ELB log delivery write under the prefix of each ALB (alb/web, alb/app), derived from the ALBs themselves', () => {
    const policies = resources(devstg, 'aws_s3_bucket_policy').map((p) => JSON.parse(p.policy as string) as { Statement: { Effect: string; Principal: unknown; Action: unknown; Resource: unknown }[] });
    // The ALB log bucket's writers (the S3 server-access-log bucket admits logging.s3.amazonaws.com instead).
    const elbDelivery = /logdelivery\.elasticloadbalancing|arn:aws:iam::\d{12}:root/;
    const writes = policies.flatMap((p) => p.Statement).filter((s) => s.Effect === 'Allow' && elbDelivery.test(JSON.stringify(s.Principal)));
    expect(writes.map((s) => s.Principal)).toEqual([{ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }, { AWS: 'arn:aws:iam::127311923021:root' }]);
    const prefixes = resources(devstg, 'aws_lb').map((lb) => (lb.access_logs as { prefix: string }).prefix).sort();
    expect(prefixes).toEqual(['alb/app', 'alb/web']);
    for (const s of writes) {
      const objects = [s.Resource].flat() as string[];
      expect(objects.map((o) => o.replace(/^\$\{aws_s3_bucket\.[^}]+\}/, '<bucket>').replace(/\/AWSLogs\/\d{12}\//, '/AWSLogs/<account>/')))
        .toEqual(prefixes.map((p) => `<bucket>/${p}/AWSLogs/<account>/*`));
    }
  });

  it('chains security groups: public ALB <- internet, web <- public ALB only, app ALB <- web only, app <- app ALB only', () => {
    const webAlb = sgRef(devstg, 'test-apps-devstg-web-alb');
    const web = sgRef(devstg, 'test-apps-devstg-web-instances');
    const appAlb = sgRef(devstg, 'test-apps-devstg-app-alb');
    const app = sgRef(devstg, 'test-apps-devstg-app-instances');
    const ingress = resources(devstg, 'aws_vpc_security_group_ingress_rule');
    const into = (sg: string) => ingress.filter((r) => r.security_group_id === sg);
    expect(into(web).map((r) => r.referenced_security_group_id)).toEqual([webAlb]);
    expect(into(appAlb).map((r) => r.referenced_security_group_id)).toEqual([web]);
    expect(into(app).map((r) => r.referenced_security_group_id)).toEqual([appAlb]);
    for (const sg of [web, appAlb, app]) for (const r of into(sg)) expect(r).not.toHaveProperty('cidr_ipv4');
    expect(into(webAlb).map((r) => [r.from_port, r.cidr_ipv4]).sort()).toEqual([[443, '0.0.0.0/0'], [80, '0.0.0.0/0']]);
    // Load balancers reach only their own tier.
    const egress = resources(devstg, 'aws_vpc_security_group_egress_rule');
    expect(egress.filter((r) => r.security_group_id === webAlb).map((r) => r.referenced_security_group_id)).toEqual([web]);
    expect(egress.filter((r) => r.security_group_id === appAlb).map((r) => r.referenced_security_group_id)).toEqual([app]);
    // Inline rules would bypass the chain.
    for (const sg of resources(devstg, 'aws_security_group')) {
      expect(sg).not.toHaveProperty('ingress');
    }
  });

  it('scales on CPU and on requests per target, with alarms on each tier', () => {
    expect(devstg).toHaveResourceWithProperties(AutoscalingPolicy, {
      policy_type: 'TargetTrackingScaling',
      target_tracking_configuration: { predefined_metric_specification: { predefined_metric_type: 'ASGAverageCPUUtilization' }, target_value: 50 },
    });
    const request = resources(devstg, 'aws_autoscaling_policy').filter((p) =>
      JSON.stringify(p).includes('ALBRequestCountPerTarget'));
    expect(request).toHaveLength(2);
    for (const p of request) {
      expect(JSON.stringify(p)).toMatch(/resource_label":"\$\{aws_lb\.[^}]+\.arn_suffix\}\/\$\{aws_lb_target_group\.[^}]+\.arn_suffix\}/);
      expect(p.depends_on).toEqual([expect.stringMatching(/^aws_lb_listener\./)]);
    }
    const alarms = resources(devstg, 'aws_cloudwatch_metric_alarm').map((a) => a.metric_name);
    expect(alarms).toEqual(expect.arrayContaining(['UnHealthyHostCount', 'HTTPCode_Target_5XX_Count', 'CPUUtilization']));
    const topic = 'arn:aws:sns:us-east-1:555555555555:alarms';
    for (const a of resources(synth(config({ alarmTopicArn: topic })), 'aws_cloudwatch_metric_alarm')) expect(a.alarm_actions).toEqual([topic]);
    expect(refusal(config({ alarmTopicArn: 'alarms' }))).toContain('alarmTopicArn: "alarms" is not an SNS topic ARN');
  });

  it('adds a scheduled scale-down only when configured', () => {
    expect(resources(devstg, 'aws_autoscaling_schedule')).toHaveLength(0);
    const scheduled = synth(config({
      web: {
        instanceType: 't3.small', minSize: 1, desiredCapacity: 1, maxSize: 2,
        scheduledScaleDown: { scaleDownRecurrence: '0 20 * * MON-FRI', scaleUpRecurrence: '0 7 * * MON-FRI', minSize: 0, maxSize: 0, desiredCapacity: 0 },
      },
    }));
    const schedules = resources(scheduled, 'aws_autoscaling_schedule');
    expect(schedules).toEqual(expect.arrayContaining([
      expect.objectContaining({ recurrence: '0 20 * * MON-FRI', min_size: 0, max_size: 0, desired_capacity: 0, time_zone: 'UTC' }),
      expect.objectContaining({ recurrence: '0 7 * * MON-FRI', min_size: 1, max_size: 2, desired_capacity: 1 }),
    ]));
  });

  it('protects production: deletion protection on both ALBs, log bucket and key kept on destroy', () => {
    const prd = synth(config(), 'prd');
    for (const lb of resources(prd, 'aws_lb')) expect(lb.enable_deletion_protection).toBe(true);
    for (const lb of resources(devstg, 'aws_lb')) expect(lb.enable_deletion_protection).toBe(false);
    expect(resources(prd, 'aws_s3_bucket')[0]).toMatchObject({ lifecycle: { prevent_destroy: true } });
    expect(resources(prd, 'aws_kms_key')[0]).toMatchObject({ lifecycle: { prevent_destroy: true } });
  });

  it('protect is the one name of the flag: false turns every protection off in prd; deletionProtection is refused', () => {
    const open = synth(config({ protect: false }), 'prd');
    for (const lb of resources(open, 'aws_lb')) expect(lb.enable_deletion_protection).toBe(false);
    for (const b of resources(open, 'aws_s3_bucket')) expect(b.lifecycle).toEqual({ prevent_destroy: false });
    expect(resources(open, 'aws_kms_key')[0].lifecycle).toEqual({ prevent_destroy: false });
    const renamed = { ...config(), deletionProtection: true } as unknown as MultiTierConfig;
    expect(refusal(renamed)).toContain('test/apps-devstg/multi-tier: deletionProtection: was renamed to protect; rename it');
  });

  it('admits the Auto Scaling service-linked role to the EBS key once, through the tiers (grantToService)', () => {
    const policy = JSON.parse(resources(devstg, 'aws_kms_key')[0].policy as string) as { Statement: { Sid: string; Principal: unknown }[] };
    expect(policy.Statement.map((st) => st.Sid)).toEqual(['AccountAdministration', 'AutoScalingUsesKeyForVolumes', 'AutoScalingGrantsForVolumes']);
    expect(policy.Statement[1].Principal).toEqual({ AWS: expect.stringContaining('role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling') });
  });

  it('checks each tier, the public client ranges and the log retention with the modules\' rules, under its own field names', () => {
    const message = refusal(config({
      web: { instanceType: 't3.small', minSize: 1, desiredCapacity: 1, maxSize: 2, volumeSizeGb: 4, cpuTargetPercent: 0 },
      app: { instanceType: 'large', minSize: 1, desiredCapacity: 1, maxSize: 2, healthCheckPath: 'health' },
      publicIngressCidrs: ['10.0.0.1/8'],
      accessLogExpirationDays: 0,
    }));
    expect(message).toContain('web.volumeSizeGb: 4 must be a whole number from 8 to 16384 GiB');
    expect(message).toContain('web.cpuTargetPercent: 0 must be a percentage above 0 and at most 100');
    expect(message).toContain('app.instanceType: "large" is not an EC2 instance type');
    expect(message).toContain('app.healthCheckPath: "health" must start with /');
    expect(message).toContain('publicIngressCidrs[0]: ');
    expect(message).toContain('accessLogExpirationDays: 0 must be a positive whole number');
  });

  it('sizes the example organisation per environment: devstg min 1, prd min 3 in each tier', () => {
    const app = Testing.app();
    const only = new Set(['acme-apps-devstg-multi-tier', 'acme-apps-prd-multi-tier']);
    const built = buildOrganisation(app, resolveOrganisation(readProjectFolder(path.join(__dirname, '../../projects/acme')), REAL), { only });
    const tf = new Map(built.stacks.map((s) => [s.node.id, Testing.synth(s)]));
    const sizes = (id: string) => resources(tf.get(id)!, 'aws_autoscaling_group').map((g) => [g.name, g.min_size, g.desired_capacity]);
    expect(sizes('acme-apps-devstg-multi-tier').sort()).toEqual([['acme-apps-devstg-app', 1, 1], ['acme-apps-devstg-web', 1, 1]]);
    expect(sizes('acme-apps-prd-multi-tier').sort()).toEqual([['acme-apps-prd-app', 3, 3], ['acme-apps-prd-web', 3, 3]]);
    expect(tf.get('acme-apps-prd-multi-tier')).toHaveResourceWithProperties(AutoscalingGroup, { name: 'acme-apps-prd-web', max_size: 9 });
  });

  it('refuses sizes that are not min <= desired <= max, with the field and the numbers', () => {
    const web = { instanceType: 't3.small', minSize: 1, desiredCapacity: 5, maxSize: 4 };
    expect(refusal(config({ web }))).toContain('test/apps-devstg/multi-tier: web.desiredCapacity: 5 must be between minSize 1 and maxSize 4');
    const app = { instanceType: 't3.small', minSize: 3, desiredCapacity: 3, maxSize: 2 };
    expect(refusal(config({ app }))).toContain('app.minSize: 3 is greater than maxSize 2');
    expect(refusal(config({ app: { ...app, minSize: -1, maxSize: 2 } }))).toContain('app.minSize: -1 must be a whole number of at least 0');
    expect(refusal(config({ app: { ...app, minSize: 0, desiredCapacity: 0, maxSize: 0 } }))).toContain('app.maxSize: 0 must be at least 1');
    const schedule = { scaleDownRecurrence: '0 20 * * *', scaleUpRecurrence: 'daily', minSize: 2, desiredCapacity: 1, maxSize: 2 };
    const message = refusal(config({ web: { instanceType: 't3.small', minSize: 1, desiredCapacity: 1, maxSize: 2, scheduledScaleDown: schedule } }));
    expect(message).toContain('web.scheduledScaleDown.desiredCapacity: 1 must be between minSize 2 and maxSize 2');
    expect(message).toContain('web.scheduledScaleDown.scaleUpRecurrence: "daily" is not a 5-field cron expression');
  });

  it('refuses a certificate that is not an ACM ARN of the ALB region', () => {
    expect(refusal(config({ certificateArn: 'my-cert' }))).toContain('certificateArn: "my-cert" is not an ACM certificate ARN');
    expect(refusal(config({ certificateArn: CERT.replace('us-east-1', 'eu-west-1') }))).toContain('certificateArn: must be a certificate of us-east-1');
  });

  it('issues a DNS-validated certificate for domain in the account sub-zone and aliases the name to the web ALB', () => {
    const { certificateArn: _none, ...rest } = config();
    const tf = synth({ ...rest, domain: { subdomain: 'web' } });
    const zone = '${data.terraform_remote_state.remote-apps-devstg-dns-zone.outputs.zone_id}';
    expect(resources(tf, 'aws_acm_certificate')).toEqual([expect.objectContaining({ domain_name: 'web.devstg.acme.example.com', validation_method: 'DNS' })]);
    const records = resources(tf, 'aws_route53_record');
    expect(records.filter((r) => String(r.name).includes('["web.devstg.acme.example.com"].resource_record_name'))).toEqual([expect.objectContaining({ zone_id: zone })]);
    expect(records.find((r) => r.name === 'web.devstg.acme.example.com')).toMatchObject({
      zone_id: zone, type: 'A', alias: { name: expect.stringMatching(/aws_lb\.web-alb.*\.dns_name/), evaluate_target_health: false },
    });
    expect(records.find((r) => r.name === 'web.devstg.acme.example.com')?.failover_routing_policy).toBeUndefined();
    // The listener waits for the issued certificate (the validation resource), never a pasted ARN.
    const https = resources(tf, 'aws_lb_listener').find((l) => l.protocol === 'HTTPS' && String(l.load_balancer_arn).includes('web-alb'));
    expect(https?.certificate_arn).toMatch(/^\$\{aws_acm_certificate_validation\.web-certificate_validation_.*\.certificate_arn\}$/);
    const out = parsed(tf).output!;
    expect(out.web_domain_name.value).toBe('web.devstg.acme.example.com');
    expect(out.web_https_listener_arn.value).toMatch(/aws_lb_listener\..*\.arn/);
    expect(parsed(synth()).output!.web_domain_name.value).toBe('');
  });

  it('needs exactly one of domain and certificateArn, and a dns-zone layer for domain', () => {
    expect(refusal(config({ domain: { subdomain: 'web' } }))).toContain('domain: give exactly one of domain (a DNS-validated certificate issued here) and certificateArn');
    const { certificateArn: _none, ...rest } = config();
    expect(refusal(rest)).toContain('domain: give exactly one of domain');
    expect(refusal({ ...rest, domain: { subdomain: 'web', zoneLayer: 'zone' } })).toContain('domain.zoneLayer: account apps-devstg has no enabled dns-zone layer "zone"');
  });

  it('refuses a name another layer of the organisation already holds', () => {
    const { certificateArn: _none, ...rest } = config();
    const message = refusal({ ...rest, domain: { subdomain: 'web' } }, { other: defineLayer(MultiTier, { ...rest, domain: { subdomain: 'web' } }) });
    expect(message).toContain('test/apps-devstg/multi-tier: domain.subdomain: web.devstg.acme.example.com would be a simple A record (alias to the web ALB), ' +
      'but apps-devstg/other already holds a simple A record (alias to the web ALB) for that name: two layers would own (and overwrite, then delete) the same record');
    expect(message).toContain('a certificate for web.devstg.acme.example.com is also issued by apps-devstg/other');
  });
});
