/**
 * Unknown keys and wrong types are refused at synth, not only by `tsc`: a config in plain JS, behind `as any`, or a
 * misspelled key spread into an object literal. The allowed keys come from the config interfaces, generated into
 * lib/generated/config-shapes.json (make generate), which must match the code.
 */
import * as fs from 'fs';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { CONFIG_SHAPES_FILE, configShapes, shapeProblems, useConfigShapes, type ShapeNode } from '../../lib/config-shape';
import { fromLayer } from '../../lib/layer-ref';
import { BaseNetwork, baseNetworkContract } from '../../layers/base-network';
import { BaseTfBackend } from '../../layers/base-tf-backend';
import { Databases } from '../../layers/databases';
import { configShapesJson } from '../../scripts/lib/config-shapes';
import { generatedFiles } from '../../scripts/lib/scaffold';
import { account, refusal, source } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');

jest.setTimeout(60_000);

// A typo hidden from the compiler, as in a plain-JS config or an object spread into the literal.
const loose = (value: object): never => value as never;
const net = (extra: object) => defineLayer(BaseNetwork, loose({ vpcCidr: '10.1.0.0/16', natGateways: 'single', ...extra }));

describe('unknown keys in layer configs', () => {
  it('refuses a misspelled optional key, naming the layer and the key it probably meant', () => {
    expect(refusal(source({ 'apps-devstg': { layers: { 'base-network': net({ azCuont: 2 }) } } })))
      .toContain('test/apps-devstg/base-network: azCuont: is not a known setting (did you mean azCount?); known: azCount, flowLogRetentionDays, interfaceEndpoints, natGateways, subnets, vpcCidr');
  });

  it('refuses unknown keys in nested objects', () => {
    expect(refusal(source({ 'apps-devstg': { layers: { 'base-network': net({ subnets: { privat: ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24'] } }) } } })))
      .toContain('test/apps-devstg/base-network: subnets.privat: is not a known setting (did you mean private?)');
  });

  it('looks into lists of objects, records and unions of the generated shapes', () => {
    const shapes = configShapes().kinds;
    const fargate = { services: [{ name: 'api', image: 'x', cpu: 256, memory: 512, port: 80, desiredCuont: 2, environment: { ANY_NAME: 'v' } }] };
    expect(shapeProblems(fargate, shapes.Fargate)).toEqual([
      expect.objectContaining({ field: 'services[0].desiredCuont', kind: 'key', message: expect.stringMatching(/^is not a known setting \(did you mean desiredCount\?\)/) }),
    ]);
    const serverless = { functions: { api: { reservedConcurrency: 1, memoryMB: 512 } } };
    expect(shapeProblems(serverless, shapes.Serverless).map((p) => p.field)).toEqual(['functions.api.memoryMB']);
    const eks = { nodeGroups: [{ name: 'a', taints: [{ key: 'k', effect: 'NO_SCHEDULE', efect: 'x' }] }] };
    expect(shapeProblems(eks, shapes.Eks).map((p) => p.field)).toEqual(['nodeGroups[0].taints[0].efect']);
  });

  it('skips fromLayer(...) references and other values that are not plain data', () => {
    const databases = defineLayer(Databases, { consumers: { securityGroups: [fromLayer(baseNetworkContract, 'vpc_id')] } });
    expect(shapeProblems(databases.config, configShapes().kinds.Databases)).toEqual([]);
    class Token { readonly anything = 1; }
    expect(shapeProblems({ vpcCidr: new Token() }, configShapes().kinds.BaseNetwork)).toEqual([]);
  });

  it('refuses a value of the wrong type without running the kind checks that assume the types', () => {
    const message = refusal(source({ 'apps-devstg': { layers: { 'base-network': net({ azCount: '3', interfaceEndpoints: 'ecr.api' }) } } }));
    expect(message).toContain('test/apps-devstg/base-network: azCount: "3" must be a number');
    expect(message).toContain('test/apps-devstg/base-network: interfaceEndpoints: "ecr.api" must be a list');
    expect(message).not.toContain('TypeError');
  });

  it('refuses NaN and Infinity where a number belongs (once, when the kind checks the field itself)', () => {
    expect(shapeProblems({ azCount: Number.POSITIVE_INFINITY }, configShapes().kinds.BaseNetwork))
      .toEqual([{ field: 'azCount', kind: 'value', message: 'Infinity must be a finite number' }]);
    const message = refusal(source({ 'apps-devstg': { layers: { 'base-network': net({ flowLogRetentionDays: Number.NaN }) } } }));
    expect(message.match(/flowLogRetentionDays/g)).toHaveLength(1);
    expect(message).toContain('test/apps-devstg/base-network: flowLogRetentionDays: NaN is not a CloudWatch Logs retention');
  });

  it('reports a value outside a literal union once, in the words of the kind when it has its own check', () => {
    const message = refusal(source({ 'apps-devstg': { layers: { 'base-network': net({ natGateways: 'singel' }) } } }));
    expect(message.match(/natGateways/g)).toHaveLength(1);
    expect(message).toContain('base-network: natGateways: "singel" must be one-per-az, single or none');
  });
});

describe('unknown keys in project and account files', () => {
  it('reports an old protection flag once, in the kind\'s words naming protect, not also as an unknown key', () => {
    const message = refusal(source({ 'apps-devstg': { layers: { 'base-tf-backend': defineLayer(BaseTfBackend, loose({ preventDestroy: false })) } } }));
    expect(message).toContain('test/apps-devstg/base-tf-backend: preventDestroy: was renamed to protect; rename it (preventDestroy is no longer read)');
    expect(message).not.toContain('preventDestroy: is not a known setting');
  });

  it('refuses a misspelled project or account setting', () => {
    const message = refusal(source({ a: { config: loose({ ...account(), regoin: 'us-west-2' }) } }, loose({ drRegoin: 'us-west-2' })));
    expect(message).toContain('test: drRegoin: is not a known setting (did you mean drRegion?)');
    expect(message).toContain('test/a: regoin: is not a known setting (did you mean region?)');
  });

  it('refuses unknown keys of nested project settings (identityCenter, ci)', () => {
    expect(refusal(source({}, loose({ ci: { githubRepository: 'acme/infra', mainBranh: 'main' } }))))
      .toContain('test: ci.mainBranh: is not a known setting (did you mean mainBranch?)');
  });
});

describe(`${CONFIG_SHAPES_FILE}`, () => {
  it('is generated from the current config interfaces (make generate)', () => {
    expect(fs.readFileSync(path.join(ROOT, CONFIG_SHAPES_FILE), 'utf8')).toBe(configShapesJson(ROOT));
  });

  it('is rewritten by make generate when stale, not used to refuse the configs that use a key just added', () => {
    const committed = configShapes();
    // The shapes as committed before `dataExport` was added to the cost layer's config, which the example uses.
    const { dataExport: _added, ...before } = (committed.kinds.Cost as ShapeNode).props!;
    useConfigShapes({ ...committed, kinds: { ...committed.kinds, Cost: { props: before } } });
    try {
      expect(generatedFiles(ROOT, 'acme').get(CONFIG_SHAPES_FILE)).toBe(fs.readFileSync(path.join(ROOT, CONFIG_SHAPES_FILE), 'utf8'));
    } finally {
      useConfigShapes(committed);
    }
  });

  it('describes every layer kind of layers/ and the project and account files', () => {
    const classes = fs.readdirSync(path.join(ROOT, 'layers')).flatMap((f) =>
      [...fs.readFileSync(path.join(ROOT, 'layers', f), 'utf8').matchAll(/^export class (\w+) extends LayerStack/gm)].map((m) => m[1]));
    expect(Object.keys(configShapes().kinds).sort()).toEqual(classes.sort());
    expect(configShapes().project).toMatchObject({ props: expect.objectContaining({ name: { types: ['string'] }, tags: { index: { types: ['string'] } } }) });
    expect(configShapes().account).toMatchObject({ props: expect.objectContaining({ email: { types: ['string'] } }) });
  });
});
