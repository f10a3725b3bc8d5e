/**
 * Generates lib/generated/config-shapes.json (see lib/config-shape.ts) from the config interfaces, with the TypeScript
 * compiler API: the third constructor parameter of every layer class in layers/ (a class extending LayerStack), and
 * ProjectConfig and AccountConfig of lib/config.ts. Optional keys, nested objects, lists of objects, records and literal
 * unions are all followed; `fromLayer(...)` references (LayerOutputRef), classes, functions and library types are `*`.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import type { ConfigShapes, Shape, ShapeNode } from '../../lib/config-shape';

const OPAQUE_NAMES = new Set(['RegExp', 'Date', 'Promise', 'Map', 'Set', 'Function', 'LayerOutputRef']);

type Primitive = 'string' | 'number' | 'boolean';

interface Acc {
  types: Set<Primitive>;
  values: Set<string | number | boolean>;
  props?: Map<string, Shape[]>;
  index?: Shape[];
  items?: Shape[];
}

/** The union of several shapes (a TypeScript union type, or one key of several object types). */
export function mergeShapes(shapes: readonly Shape[]): Shape {
  if (shapes.length === 0 || shapes.includes('*')) return '*';
  const acc: Acc = { types: new Set(), values: new Set() };
  for (const s of shapes as ShapeNode[]) {
    for (const t of s.types ?? []) acc.types.add(t);
    for (const v of s.values ?? []) acc.values.add(v);
    if (s.props) {
      acc.props ??= new Map();
      for (const [k, v] of Object.entries(s.props)) acc.props.set(k, [...(acc.props.get(k) ?? []), v]);
    }
    if (s.index !== undefined) acc.index = [...(acc.index ?? []), s.index];
    if (s.items !== undefined) acc.items = [...(acc.items ?? []), s.items];
  }
  const node: { -readonly [K in keyof ShapeNode]: ShapeNode[K] } = {};
  if (acc.types.size > 0) node.types = [...acc.types].sort();
  const values = [...acc.values].filter((v) => !acc.types.has(typeof v as Primitive));
  if (values.length > 0) node.values = values.sort((a, b) => String(a).localeCompare(String(b)));
  if (acc.props) node.props = Object.fromEntries([...acc.props.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, mergeShapes(v)]));
  if (acc.index) node.index = mergeShapes(acc.index);
  if (acc.items) node.items = mergeShapes(acc.items);
  return node;
}

class ShapeReader {
  private readonly walking = new Set<ts.Type>();

  constructor(private readonly checker: ts.TypeChecker) {}

  read(type: ts.Type): Shape {
    if (this.walking.has(type)) return '*'; // a recursive type: no config is that deep
    this.walking.add(type);
    try {
      return this.readOnce(type);
    } finally {
      this.walking.delete(type);
    }
  }

  private readOnce(type: ts.Type): Shape {
    const f = type.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never | ts.TypeFlags.NonPrimitive)) return '*';
    if (type.isUnion()) {
      const members = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)) && !this.isLayerRef(t));
      // boolean is `true | false`: keep it a type, not two values.
      const bools = members.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
      const rest = members.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral));
      const shapes = rest.map((t) => this.read(t));
      if (bools.length === 2) shapes.push({ types: ['boolean'] });
      else shapes.push(...bools.map((t) => this.read(t)));
      return mergeShapes(shapes);
    }
    if (type.isStringLiteral()) return { values: [type.value] };
    if (type.isNumberLiteral()) return { values: [type.value] };
    if (f & ts.TypeFlags.BooleanLiteral) return { values: [this.checker.typeToString(type) === 'true'] };
    if (f & ts.TypeFlags.StringLike) return { types: ['string'] };
    if (f & ts.TypeFlags.NumberLike) return { types: ['number'] };
    if (f & ts.TypeFlags.BooleanLike) return { types: ['boolean'] };
    if (type.isIntersection()) {
      const primitive = type.types.find((t) => t.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike));
      if (primitive) return this.read(primitive); // a branded primitive
      return this.object(type);
    }
    if (f & ts.TypeFlags.Object) {
      if (this.checker.isArrayType(type) || this.checker.isTupleType(type)) {
        return { items: mergeShapes(this.checker.getTypeArguments(type as ts.TypeReference).map((t) => this.read(t))) };
      }
      if (this.isLayerRef(type) || this.isOpaque(type)) return '*';
      return this.object(type);
    }
    return '*';
  }

  private object(type: ts.Type): Shape {
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) return '*';
    const props: Record<string, Shape> = {};
    for (const symbol of this.checker.getPropertiesOfType(type)) {
      const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
      const propType = declaration ? this.checker.getTypeOfSymbolAtLocation(symbol, declaration) : this.checker.getTypeOfSymbol(symbol);
      props[symbol.name] = this.read(propType);
    }
    const index = this.checker.getIndexInfosOfType(type).find((i) => i.keyType.flags & ts.TypeFlags.String);
    const node: { props?: Record<string, Shape>; index?: Shape } = {};
    if (Object.keys(props).length > 0 || !index) node.props = Object.fromEntries(Object.entries(props).sort(([a], [b]) => a.localeCompare(b)));
    if (index) node.index = this.read(index.type);
    return node;
  }

  private isLayerRef(type: ts.Type): boolean {
    return (type.aliasSymbol ?? type.getSymbol())?.name === 'LayerOutputRef';
  }

  /** Classes, functions and types of libraries: not plain config data. */
  private isOpaque(type: ts.Type): boolean {
    const symbol = type.getSymbol();
    if (!symbol) return false;
    if (symbol.flags & ts.SymbolFlags.Class || OPAQUE_NAMES.has(symbol.name)) return true;
    const files = (symbol.declarations ?? []).map((d) => d.getSourceFile().fileName);
    return files.length > 0 && files.every((file) => file.includes('/node_modules/') && !/\/typescript\/lib\/lib\.[^/]*\.d\.ts$/.test(file));
  }
}

function extendsLayerStack(node: ts.ClassDeclaration): boolean {
  return (node.heritageClauses ?? []).some((h) => h.token === ts.SyntaxKind.ExtendsKeyword && h.types.some((t) => t.expression.getText() === 'LayerStack'));
}

/** Reads every layer kind's config shape and the project and account shapes of the repository at `root`. */
export function readConfigShapes(root: string): ConfigShapes {
  const tsconfig = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const options = ts.parseJsonConfigFileContent(tsconfig.config, ts.sys, root).options;
  const layerFiles = fs.readdirSync(path.join(root, 'layers')).filter((f) => f.endsWith('.ts')).sort().map((f) => path.join(root, 'layers', f));
  const configFile = path.join(root, 'lib', 'config.ts');
  const program = ts.createProgram([...layerFiles, configFile], { ...options, noEmit: true, incremental: false, tsBuildInfoFile: undefined });
  const checker = program.getTypeChecker();
  const reader = new ShapeReader(checker);

  const kinds: Record<string, Shape> = {};
  for (const file of layerFiles) {
    const source = program.getSourceFile(file)!;
    for (const statement of source.statements) {
      if (!ts.isClassDeclaration(statement) || !statement.name || !extendsLayerStack(statement)) continue;
      const ctor = statement.members.find(ts.isConstructorDeclaration);
      const param = ctor?.parameters[2];
      if (!param) continue;
      const name = statement.name.text;
      if (name in kinds) throw new Error(`two layer classes are called ${name}; the config shapes are keyed by class name`);
      kinds[name] = reader.read(checker.getTypeAtLocation(param));
    }
  }
  const config = program.getSourceFile(configFile)!;
  const iface = (name: string): Shape => {
    const declaration = config.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
    if (!declaration) throw new Error(`lib/config.ts has no interface ${name}`);
    return reader.read(checker.getTypeAtLocation(declaration.name));
  };
  return {
    kinds: Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b))),
    project: iface('ProjectConfig'),
    account: iface('AccountConfig'),
  };
}

/** JSON with one line per value that fits in `width` characters, so the committed file reads (and diffs) by field. */
function formatJson(value: unknown, indent = '', width = 110): string {
  const flat = JSON.stringify(value);
  if (flat.length + indent.length <= width || value === null || typeof value !== 'object') return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + formatJson(v, inner, width)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner, width)}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

const generated = new Map<string, string>();

/** Hash of every TypeScript source the config types can come from: the compiler runs again only when one changed. */
function sourcesHash(root: string): string {
  const hash = crypto.createHash('sha256');
  for (const dir of ['layers', 'modules', 'lib']) {
    for (const file of (fs.readdirSync(path.join(root, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort()) {
      hash.update(file).update(fs.readFileSync(path.join(root, dir, file)));
    }
  }
  return hash.digest('hex');
}

/** The file's text: what `make generate` writes and the staleness test compares (computed once per set of sources). */
export function configShapesJson(root: string): string {
  const key = sourcesHash(root);
  let text = generated.get(key);
  if (text === undefined) {
    text = `${formatJson(readConfigShapes(root))}\n`;
    generated.set(key, text);
  }
  return text;
}
