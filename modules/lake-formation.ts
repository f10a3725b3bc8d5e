import { LakeformationDataLakeSettings } from '@cdktf/provider-aws/lib/lakeformation-data-lake-settings';
import { LakeformationPermissions } from '@cdktf/provider-aws/lib/lakeformation-permissions';
import { LakeformationResource } from '@cdktf/provider-aws/lib/lakeformation-resource';
import type { TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import { actions, KEY_ENCRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS } from './perms';
import type { Role } from './role';
import type { IBucket } from './secure-bucket';

export interface LakeFormationProps {
  /** Data lake administrators (IAM role or user ARNs), the deploy role included. */
  readonly admins: readonly string[];
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** Permissions granted, and the subset the principal may grant on (cross-account shares). */
export interface LakeFormationGrant {
  /** An IAM principal ARN, or an account id for a cross-account share (through AWS RAM). */
  readonly principal: string;
  readonly permissions: readonly string[];
  /** @default [] */
  readonly grantable?: readonly string[];
}

/**
 * Lake Formation as the only authority on an account's Data Catalog: administrators, no IAMAllowedPrincipals defaults
 * on new databases and tables (so IAM policies alone never open a table), cross-account version 4 (grants through RAM,
 * hybrid access, LF-tags), S3 locations registered with a role of this account, and grants that wait for all of it.
 * https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html
 *
 * Created in `scope`: the settings with the id given, each location and grant with the id passed to the method, so in a
 * layer those ids are the Terraform addresses.
 */
export class LakeFormation {
  readonly settings: LakeformationDataLakeSettings;
  private readonly locations = new Map<string, LakeformationResource>();

  constructor(private readonly scope: Construct, id: string, private readonly props: LakeFormationProps) {
    this.settings = new LakeformationDataLakeSettings(scope, id, {
      provider: props.provider,
      admins: [...new Set(props.admins)],
      createDatabaseDefaultPermissions: [],
      createTableDefaultPermissions: [],
      parameters: { CROSS_ACCOUNT_VERSION: '4' },
    });
  }

  /**
   * Registers `bucket` as a data location Lake Formation reaches through `role` (without hybrid access: Lake Formation
   * grants alone decide). The role is granted what Lake Formation documents: objects read, write and delete, the bucket
   * listed, and for an SSE-KMS bucket Encrypt, Decrypt and GenerateDataKey on its key.
   * https://docs.aws.amazon.com/lake-formation/latest/dg/registration-role.html
   */
  registerLocation(id: string, bucket: IBucket, role: Role): LakeformationResource {
    bucket.grantReadWrite(role);
    bucket.grantDelete(role);
    bucket.encryptionKey?.grant(role, 'KmsDirectEncryptDecrypt', actions(KEY_ENCRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS));
    const location = new LakeformationResource(this.scope, id, {
      provider: this.props.provider,
      arn: bucket.arn,
      roleArn: role.arn,
      hybridAccessEnabled: false,
      dependsOn: [this.settings],
    });
    this.locations.set(bucket.arn, location);
    return location;
  }

  /** Permissions on a database of the catalog (CREATE_TABLE, ALTER, DESCRIBE ...). */
  grantOnDatabase(id: string, databaseName: string, grant: LakeFormationGrant): LakeformationPermissions {
    return this.permissions(id, grant, { database: { name: databaseName } });
  }

  /** Permissions on every table of a database (SELECT, DESCRIBE ...), present and future. */
  grantOnAllTables(id: string, databaseName: string, grant: LakeFormationGrant): LakeformationPermissions {
    return this.permissions(id, grant, { table: { databaseName, wildcard: true } });
  }

  /** DATA_LOCATION_ACCESS on a bucket registered here: the principal may create tables over it (crawlers). */
  grantOnLocation(id: string, bucket: IBucket, principal: string): LakeformationPermissions {
    const location = this.locations.get(bucket.arn);
    if (!location) throw new Error(`grantOnLocation(${id}): the bucket is not a registered location; registerLocation() it first`);
    return this.permissions(id, { principal, permissions: ['DATA_LOCATION_ACCESS'] }, { dataLocation: { arn: bucket.arn } }, [location]);
  }

  private permissions(
    id: string,
    grant: LakeFormationGrant,
    target: { database?: { name: string }; table?: { databaseName: string; wildcard: boolean }; dataLocation?: { arn: string } },
    after: LakeformationResource[] = [],
  ): LakeformationPermissions {
    return new LakeformationPermissions(this.scope, id, {
      provider: this.props.provider,
      principal: grant.principal,
      permissions: [...grant.permissions],
      ...(grant.grantable && grant.grantable.length > 0 ? { permissionsWithGrantOption: [...grant.grantable] } : {}),
      ...target,
      // Every grant needs the settings that make the deployer an administrator.
      dependsOn: [this.settings, ...after],
    });
  }
}
