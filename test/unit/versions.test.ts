/**
 * The one version table (lib/versions.ts): EKS, Aurora and ElastiCache majors, Lambda runtimes, each row with the AWS
 * page it comes from, read by the eks layer, the policy pack and the preflight's PF-VER rules.
 */
import { runPreflight } from '../../lib/preflight/engine';
import { PREFLIGHT_RULES_BY_ID } from '../../lib/preflight/rules';
import {
  AURORA_MYSQL_CALENDAR_URL, EKS_KUBERNETES_VERSIONS, engineMajor, ENGINE_MAJOR_VERSIONS, LAMBDA_RUNTIMES, lambdaRuntimeDeprecation,
} from '../../lib/versions';
import { fixtureOrg } from '../fixtures/preflight-org';

const AWS_PAGE = /^https:\/\/docs\.aws\.amazon\.com\//;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function engineFindings(engine: string, version: string, today: string) {
  const org = fixtureOrg([{
    account: 'apps', layer: 'db',
    resources: engine.startsWith('aurora')
      ? { aws_rds_cluster: { c: { cluster_identifier: 'c', engine, engine_version: version, lifecycle: { ignore_changes: ['engine_version'] } } } }
      : { aws_elasticache_replication_group: { r: { replication_group_id: 'r', engine, engine_version: version } } },
  }], { today });
  return runPreflight(org, [PREFLIGHT_RULES_BY_ID.get('PF-VER-003')!]).findings;
}

describe('lib/versions.ts', () => {
  it('gives every row a date and the AWS page it comes from', () => {
    for (const r of EKS_KUBERNETES_VERSIONS) {
      expect(r.source).toMatch(AWS_PAGE);
      for (const d of [r.released, r.endOfStandardSupport, r.endOfExtendedSupport]) expect(d).toMatch(DATE);
    }
    for (const rows of Object.values(ENGINE_MAJOR_VERSIONS)) {
      for (const r of rows) {
        expect(r.source).toMatch(AWS_PAGE);
        expect(r.endOfStandardSupport).toMatch(DATE);
      }
    }
    for (const r of LAMBDA_RUNTIMES) {
      expect(r.source).toMatch(AWS_PAGE);
      expect(r.deprecated).toMatch(DATE);
    }
    expect(new Set(LAMBDA_RUNTIMES.map((r) => r.runtime)).size).toBe(LAMBDA_RUNTIMES.length);
  });

  it('knows Aurora MySQL 8.0 (standard support until 2028-04-30), Aurora PostgreSQL majors and the ElastiCache Redis OSS ends', () => {
    expect(ENGINE_MAJOR_VERSIONS['aurora-mysql']).toContainEqual({ major: '8.0', endOfStandardSupport: '2028-04-30', source: AURORA_MYSQL_CALENDAR_URL });
    expect(ENGINE_MAJOR_VERSIONS['aurora-postgresql'].map((r) => r.major)).toEqual(['11', '12', '13', '14', '15', '16', '17']);
    expect(ENGINE_MAJOR_VERSIONS.redis.find((r) => r.major === '5')?.endOfStandardSupport).toBe('2026-01-31');
    expect(engineMajor('aurora-mysql', '8.0.mysql_aurora.3.10.0')).toBe('8.0');
    expect(engineMajor('aurora-postgresql', '16.8')).toBe('16');
    expect(engineMajor('redis', '7.1')).toBe('7');
  });

  it('makes PF-VER-003 judge Aurora MySQL 8.0 by its row: fine today, reported in the last quarter before 2028-04-30', () => {
    expect(engineFindings('aurora-mysql', '8.0.mysql_aurora.3.10.0', '2026-11-30')).toEqual([]);
    const [late] = engineFindings('aurora-mysql', '8.0.mysql_aurora.3.10.0', '2028-03-01');
    expect(late.message).toContain('standard support ends on 2028-04-30, in 60 days');
    expect(late.message).toContain(AURORA_MYSQL_CALENDAR_URL);
    // Redis OSS 5 left standard support on 2026-01-31; Valkey has no published end and is not judged.
    expect(engineFindings('redis', '5.0.6', '2026-11-30')[0].message).toContain('standard support ended on 2026-01-31');
    expect(engineFindings('valkey', '8.0', '2026-11-30')).toEqual([]);
  });

  it('gives the policy pack and the preflight one list of Lambda deprecations (dotnet8 was deprecated on 2026-11-10)', () => {
    expect(lambdaRuntimeDeprecation('dotnet8', new Date('2026-11-30T00:00:00Z'))).toBe('2026-11-10');
    expect(lambdaRuntimeDeprecation('dotnet8', new Date('2026-11-09T00:00:00Z'))).toBeUndefined();
    expect(lambdaRuntimeDeprecation('nodejs22.x', new Date('2026-11-30T00:00:00Z'))).toBeUndefined();
    expect(lambdaRuntimeDeprecation('python3.8', new Date('2026-11-30T00:00:00Z'))).toBe('2024-10-14');
    const org = fixtureOrg([{ account: 'apps', layer: 'fn', resources: { aws_lambda_function: { f: { function_name: 'f', runtime: 'dotnet8' } } } }]);
    expect(runPreflight(org, [PREFLIGHT_RULES_BY_ID.get('PF-VER-005')!]).findings[0].message).toContain('dotnet8: standard support ended on 2026-11-10');
  });
});
