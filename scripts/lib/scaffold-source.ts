/**
 * TypeScript source for the files `make new-account` and `make new-layer` write: config values as literals in the
 * style of projects/acme, references to other layers' outputs as `fromLayer(...)` calls, values only the user knows as
 * marked placeholders, and one edit of an existing file (a property added to an object literal), done on the
 * TypeScript syntax tree so comments and formatting around it stay as they are.
 */
import * as ts from 'typescript';
import { PLACEHOLDER_PREFIX } from '../../lib/organisation';

/** A name imported from a repo-relative module path without `.ts`, e.g. `{ name: 'Eks', from: 'layers/eks' }`. */
export interface ImportSpec {
  readonly name: string;
  readonly from: string;
}

/** A config value written as code (e.g. `fromLayer(eksContract, 'node_security_group_id')`), with the value it evaluates to. */
export class Code {
  constructor(readonly source: string, readonly value: unknown, readonly imports: readonly ImportSpec[]) {}
}

/**
 * A value only the user has (a certificate ARN, an Identity Center instance). The file gets `placeholder`, which the
 * kind's validation refuses, and the layer is written switched off until it is replaced; `example` is a value of the
 * right shape, used by the tests to prove the rest of the defaults valid.
 */
export class Input {
  constructor(readonly placeholder: string, readonly example: unknown) {}
}

/** `'<fill in: what>'`: refused by the organisation check (lib/organisation.ts) whatever the kind checks. */
export function input(what: string, example: unknown): Input {
  return new Input(`${PLACEHOLDER_PREFIX}${what}>`, example);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const INLINE_WIDTH = 120;

export function quote(text: string): string {
  const body = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return body.includes("'") && !body.includes('"') ? `"${body}"` : `'${body.replace(/'/g, "\\'")}'`;
}

function key(name: string): string {
  return IDENTIFIER.test(name) ? name : quote(name);
}

/** Every Input and Code inside a value, depth first. */
export function markers(value: unknown): (Input | Code)[] {
  if (value instanceof Input || value instanceof Code) return [value];
  if (Array.isArray(value)) return value.flatMap(markers);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(markers);
  return [];
}

/** Fields (dotted paths) holding an Input. */
export function inputFields(value: unknown, at = ''): string[] {
  if (value instanceof Input) return [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => inputFields(v, `${at}[${i}]`));
  if (value !== null && typeof value === 'object' && !(value instanceof Code)) {
    return Object.entries(value).flatMap(([k, v]) => inputFields(v, at ? `${at}.${k}` : k));
  }
  return [];
}

/** The plain value: Code evaluated, Input as its example (`'example'`) or its placeholder (`'placeholder'`). */
export function evaluate(value: unknown, inputs: 'example' | 'placeholder'): unknown {
  if (value instanceof Input) return inputs === 'example' ? value.example : value.placeholder;
  if (value instanceof Code) return value.value;
  if (Array.isArray(value)) return value.map((v) => evaluate(v, inputs));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, inputs)]));
  return value;
}

/** A TypeScript literal of `value` at `indent` spaces; objects and arrays go multi-line when they are long. */
export function literal(value: unknown, indent = 0, inputs: 'example' | 'placeholder' = 'placeholder'): string {
  if (value instanceof Code) return value.source;
  if (value instanceof Input) return literal(inputs === 'example' ? value.example : value.placeholder, indent, inputs);
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return String(value);
  const pad = ' '.repeat(indent + 2);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => literal(v, indent + 2, inputs));
    const inline = `[${items.join(', ')}]`;
    return inline.length + indent <= INLINE_WIDTH && !inline.includes('\n') ? inline : `[\n${items.map((i) => `${pad}${i},`).join('\n')}\n${' '.repeat(indent)}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const items = entries.map(([k, v]) => `${key(k)}: ${literal(v, indent + 2, inputs)}`);
  const inline = `{ ${items.join(', ')} }`;
  if (indent > 0 && inline.length + indent <= INLINE_WIDTH && !inline.includes('\n')) return inline;
  return `{\n${items.map((i) => `${pad}${i},`).join('\n')}\n${' '.repeat(indent)}}`;
}

/** Import lines for a file at `depth` folders below the repo root, `lib/config` first, then by module path. */
export function importLines(imports: readonly ImportSpec[], depth: number): string {
  const byModule = new Map<string, Set<string>>();
  for (const { name, from } of imports) byModule.set(from, (byModule.get(from) ?? new Set()).add(name));
  const up = '../'.repeat(depth);
  return [...byModule.entries()]
    .sort(([a], [b]) => (a === 'lib/config' ? -1 : b === 'lib/config' ? 1 : a.localeCompare(b)))
    .map(([from, names]) => `import { ${[...names].sort().join(', ')} } from '${up}${from}';`)
    .join('\n');
}

export interface LayerFileSpec {
  /** The layer class: its export name and module, e.g. `{ name: 'BaseNetwork', from: 'layers/base-network' }`. */
  readonly kind: ImportSpec;
  readonly config: Readonly<Record<string, unknown>>;
  readonly region?: string;
  /** Doc comment above the declaration (one paragraph). @default none */
  readonly comment?: string;
}

/**
 * `projects/<project>/<account>/<layer>.ts`. A config holding Inputs is written with `{ enabled: false }` and a
 * comment naming each field to fill in: a disabled layer is never synthesized, and switching it on with a placeholder
 * still in place fails validation.
 */
export function layerFile(spec: LayerFileSpec): string {
  const imports: ImportSpec[] = [{ name: 'defineLayer', from: 'lib/config' }, spec.kind];
  for (const m of markers(spec.config)) if (m instanceof Code) imports.push(...m.imports);
  const fields = inputFields(spec.config);
  const comment = [
    ...(spec.comment ? [spec.comment] : []),
    ...(fields.length > 0 ? [`Switched off until you fill in ${fields.join(', ')}; then remove \`enabled: false\`.`] : []),
  ];
  const options = { ...(fields.length > 0 ? { enabled: false } : {}), ...(spec.region ? { region: spec.region } : {}) };
  const doc = comment.length === 0 ? '' : comment.length === 1 && comment[0].length <= 110
    ? `/** ${comment[0]} */\n`
    : `/**\n${comment.map((c) => wrap(c, 113).map((l) => ` * ${l}`).join('\n')).join('\n *\n')}\n */\n`;
  const optionsText = Object.keys(options).length > 0 ? `, ${literal(options, 2)}` : '';
  return `${importLines(imports, 3)}\n\n${doc}export default defineLayer(${spec.kind.name}, ${literal(spec.config)}${optionsText});\n`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

/** Thrown when an existing file does not have the shape an edit needs; the message names file and property. */
export class SourceShapeError extends Error {}

/**
 * Adds `name: valueSource` to the object literal at property `property` of the config (second argument) of the
 * file's `export default defineLayer(...)`, after its last property, in that object's indentation.
 */
export function addConfigProperty(source: string, file: string, property: string, name: string, valueSource: string): string {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const exported = tree.statements.find(ts.isExportAssignment);
  const call = exported && ts.isCallExpression(exported.expression) ? exported.expression : undefined;
  const config = call?.arguments[1];
  if (!call || !config || !ts.isObjectLiteralExpression(config)) {
    throw new SourceShapeError(`${file}: expected \`export default defineLayer(<Kind>, { ... })\``);
  }
  const prop = config.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyName(p.name) === property);
  if (!prop || !ts.isObjectLiteralExpression(prop.initializer)) {
    throw new SourceShapeError(`${file}: ${property} is not written as an object literal ({ ... }); add ${key(name)}: ${valueSource} to it by hand`);
  }
  const target = prop.initializer;
  if (target.properties.some((p) => p.name !== undefined && propertyName(p.name) === name)) {
    throw new SourceShapeError(`${file}: ${property} already has ${name}`);
  }
  const entry = `${key(name)}: ${valueSource}`;
  const last = target.properties[target.properties.length - 1];
  if (!last) {
    const lineStart = source.lastIndexOf('\n', prop.getStart(tree)) + 1;
    const indent = /^\s*/.exec(source.slice(lineStart))![0];
    return `${source.slice(0, target.getStart(tree))}{\n${indent}  ${entry},\n${indent}}${source.slice(target.getEnd())}`;
  }
  const lineStart = source.lastIndexOf('\n', last.getStart(tree)) + 1;
  const indent = /^\s*/.exec(source.slice(lineStart))![0];
  const hasTrailingComma = target.properties.hasTrailingComma;
  const at = hasTrailingComma ? source.indexOf(',', last.getEnd()) + 1 : last.getEnd();
  const multiLine = source.slice(target.getStart(tree), target.getEnd()).includes('\n');
  const insertion = multiLine ? `${hasTrailingComma ? '' : ','}\n${indent}${entry}${hasTrailingComma ? ',' : ''}` : `${hasTrailingComma ? '' : ','} ${entry}`;
  return `${source.slice(0, at)}${insertion}${source.slice(at)}`;
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) ? name.text : undefined;
}
