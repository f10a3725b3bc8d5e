/** Builders for in-memory organisations so each test states only what it is about. */
import { App, Testing } from 'cdktf';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { AccountConfig, ProjectConfig } from '../lib/config';
import { ConfigError } from '../lib/problems';
import type { LayerStack } from '../lib/layer-stack';
import type { Mode } from '../lib/mode';
import { buildOrganisation, resolveOrganisation, type ProjectSource } from '../lib/organisation';

export const REAL: Mode = { bootstrap: false, bootstrapStateDir: '/tmp/bootstrap' };
export const SANDBOX: Mode = { ...REAL, sandbox: { s3: 'http://127.0.0.1:4569', dynamodb: 'http://127.0.0.1:4567' } };

export const PROJECT: ProjectConfig = {
  name: 'test',
  primaryRegion: 'us-east-1',
  drRegion: 'us-west-2',
  availabilityZones: {
    'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    'us-west-2': ['us-west-2a', 'us-west-2b', 'us-west-2c'],
  },
};

let nextId = 100000000000;
export function account(overrides: Partial<AccountConfig> = {}): AccountConfig {
  nextId += 1;
  return { id: String(nextId), email: `aws+${nextId}@example.com`, environment: 'devstg', ...overrides };
}

export function source(
  accounts: Record<string, { config?: AccountConfig; layers?: Record<string, unknown> }>,
  project: Partial<ProjectConfig> = {},
): ProjectSource {
  return {
    project: { ...PROJECT, ...project },
    accounts: Object.fromEntries(Object.entries(accounts).map(([name, a]) => [name, { config: a.config ?? account(), layers: a.layers ?? {} }])),
  };
}

/** Resolves and builds; returns the stacks by id. Throws ConfigError like a real synth. */
export function build(src: ProjectSource, mode: Mode = REAL): { app: App; stacks: Map<string, LayerStack> } {
  const app = Testing.app();
  const built = buildOrganisation(app, resolveOrganisation(src, mode));
  return { app, stacks: new Map(built.stacks.map((s) => [s.node.id, s])) };
}

/** The ConfigError message of building `src`, or fails the test if it builds. */
export function refusal(src: ProjectSource, mode: Mode = REAL): string {
  try {
    build(src, mode);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

/** Synthesized JSON of one stack of the organisation. */
export function synthStack(src: ProjectSource, id: string, mode: Mode = REAL): string {
  const stack = build(src, mode).stacks.get(id);
  if (!stack) throw new Error(`no stack ${id}`);
  return Testing.synth(stack);
}

export function parsed(synthesized: string): {
  terraform: { backend?: Record<string, Record<string, unknown>> };
  provider: { aws: Record<string, unknown>[] };
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, Record<string, unknown>>;
} {
  return JSON.parse(synthesized);
}

/** All resources of one type in a synthesized stack. */
export function resources(synthesized: string, type: string): Record<string, unknown>[] {
  return Object.values(parsed(synthesized).resource[type] ?? {});
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
