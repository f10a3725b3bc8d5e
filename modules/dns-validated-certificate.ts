import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';

export interface DnsValidatedCertificateProps {
  /** Names on the certificate: the first is its subject, the others subject alternative names. */
  readonly domainNames: readonly string[];
  /** Public hosted zone holding the names; the validation records are written there. */
  readonly zoneId: string;
  /** Provider of the certificate's region (us-east-1 for CloudFront). @default the stack's default provider */
  readonly provider?: TerraformProvider;
  /** `RSA_2048` suits every client; `EC_prime256v1` is smaller and faster where clients allow it. @default 'RSA_2048' */
  readonly keyAlgorithm?: 'RSA_2048' | 'EC_prime256v1' | 'EC_secp384r1';
  /** TTL of the validation CNAMEs. @default 300 */
  readonly validationTtl?: number;
}

/**
 * A public ACM certificate validated by DNS in a Route 53 zone of the same account, as terraform-aws-modules/acm
 * does: the certificate (created before its replacement is destroyed), one validation CNAME per name, and the
 * validation that waits until ACM has issued it. `arn` is the validated certificate's ARN, so a listener or a
 * distribution using it is created only once the certificate is usable.
 *
 * ACM gives every certificate of an account the same validation CNAME for the same name, in every region, and
 * renews a certificate only while that record exists. So one layer must own the record of a name: a certificate for
 * the same names in another region is made with `alsoIn`, validated by the records made here (never a second layer
 * issuing a certificate for a name this one validates: destroying either would break the other's renewal).
 */
export class DnsValidatedCertificate extends Construct {
  readonly certificate: AcmCertificate;
  readonly validationRecords: Route53Record[];
  /** ARN of the issued certificate (through the validation resource). */
  readonly arn: string;
  readonly domainNames: readonly string[];
  private readonly props: DnsValidatedCertificateProps;

  constructor(scope: Construct, id: string, props: DnsValidatedCertificateProps) {
    super(scope, id);
    if (props.domainNames.length === 0) throw new Error(`${this.node.path}: a certificate needs at least one name`);
    this.props = props;
    this.domainNames = [...props.domainNames];
    this.certificate = this.request('certificate', props.provider);
    // One record per name, keyed by the name itself: a for_each over domain_validation_options would have keys
    // unknown until the certificate exists, which breaks plans.
    const options = `{ for o in ${this.certificate.fqn}.domain_validation_options : o.domain_name => o }`;
    this.validationRecords = this.domainNames.map((name, i) => new Route53Record(this, `validation-${i}`, {
      zoneId: props.zoneId,
      name: `\${${options}["${name}"].resource_record_name}`,
      type: `\${${options}["${name}"].resource_record_type}`,
      records: [`\${${options}["${name}"].resource_record_value}`],
      ttl: props.validationTtl ?? 300,
      // A record left by an earlier certificate of the same names (same CNAME) is adopted rather than refused.
      allowOverwrite: true,
    }));
    this.arn = this.validate('validation', this.certificate, props.provider);
  }

  /**
   * A certificate for the same names in another region (e.g. the primary region's load balancer of a failover
   * pair), validated by this construct's records. Returns its validated ARN.
   */
  alsoIn(id: string, provider: TerraformProvider): string {
    const certificate = this.request(`${id}-certificate`, provider);
    return this.validate(`${id}-validation`, certificate, provider);
  }

  private request(id: string, provider: TerraformProvider | undefined): AcmCertificate {
    return new AcmCertificate(this, id, {
      provider,
      domainName: this.domainNames[0]!,
      subjectAlternativeNames: this.domainNames.slice(1),
      validationMethod: 'DNS',
      keyAlgorithm: this.props.keyAlgorithm ?? 'RSA_2048',
      lifecycle: { createBeforeDestroy: true },
    });
  }

  private validate(id: string, certificate: AcmCertificate, provider: TerraformProvider | undefined): string {
    return new AcmCertificateValidation(this, id, {
      provider,
      certificateArn: certificate.arn,
      validationRecordFqdns: this.validationRecords.map((r) => r.fqdn),
    }).certificateArn;
  }
}
