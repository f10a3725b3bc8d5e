/**
 * The shapes of the configuration files at run time. TypeScript's types are gone once a config is loaded, so a key
 * misspelled in plain JS, behind `as any` or in an object spread into a literal would silently fall back to its
 * default. `scripts/config-shapes.ts` (run by `make generate`) reads the config interfaces with the TypeScript compiler
 * and writes `lib/generated/config-shapes.json`: for every layer kind (by class name), the project and the account,
 * which keys each object may hold, which primitive types and literal values each field accepts, and the shapes of list
 * items and of record values. The loader checks every config against it before the kind's own checks run.
 *
 * Values that are not plain data are never looked into: `fromLayer(...)` references, class instances, functions.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isLayerRef } from './layer-ref';
import { choiceList } from './validators';

/** `'*'`: anything (no check). Otherwise the union of what the field accepts. */
export type Shape = '*' | ShapeNode;

export interface ShapeNode {
  /** Primitive types accepted whatever their value. */
  readonly types?: readonly ('string' | 'number' | 'boolean')[];
  /** Literal values accepted (a union such as `'single' | 'none'`). */
  readonly values?: readonly (string | number | boolean)[];
  /** A plain object is accepted with exactly these keys (each optional at this level; the kind checks what it needs). */
  readonly props?: Readonly<Record<string, Shape>>;
  /** A plain object is accepted with any keys, each value of this shape (a `Record<string, T>`). */
  readonly index?: Shape;
  /** A list is accepted, each item of this shape. */
  readonly items?: Shape;
}

export interface ConfigShapes {
  /** Layer config shapes by layer class name (`BaseNetwork`). */
  readonly kinds: Readonly<Record<string, Shape>>;
  /** `ProjectConfig` (project.ts). */
  readonly project: Shape;
  /** `AccountConfig` (account.ts). */
  readonly account: Shape;
}

/** Where the generated shapes are committed (checked for staleness by test/unit/validation-keys.test.ts). */
export const CONFIG_SHAPES_FILE = 'lib/generated/config-shapes.json';

let loaded: ConfigShapes | undefined;

/** The committed shapes (read once). */
export function configShapes(): ConfigShapes {
  loaded ??= JSON.parse(fs.readFileSync(path.join(__dirname, 'generated', 'config-shapes.json'), 'utf8')) as ConfigShapes;
  return loaded;
}

/**
 * Makes this process check configs against `shapes` instead of the committed file. `make generate` computes the shapes
 * of the code before it builds the organisation: a config that uses a key just added to a config interface must not be
 * refused by the stale file generate is about to rewrite.
 */
export function useConfigShapes(shapes: ConfigShapes): void {
  loaded = shapes;
}

/**
 * A problem found against the shape. `type` problems (a string where a number belongs, a list where an object
 * belongs) mean the kind's own checks cannot run safely on this config; `key` and `value` problems do not.
 */
export interface ShapeProblem {
  readonly field: string;
  readonly message: string;
  readonly kind: 'key' | 'value' | 'type';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const join = (at: string, key: string): string => (at ? `${at}.${key}` : key);

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'an object';
  return String(value);
}

function expected(node: ShapeNode): string {
  const words = [
    ...(node.types ?? []).map((t) => (t === 'boolean' ? 'true or false' : `a ${t}`)),
    ...(node.items !== undefined ? ['a list'] : []),
    ...(node.props !== undefined || node.index !== undefined ? ['an object'] : []),
  ];
  const values = (node.values ?? []).map((v) => (typeof v === 'string' ? v : String(v)));
  if (words.length === 0) return choiceList(values);
  return choiceList([...words, ...values]);
}

/** Edit distance, for "did you mean" on a misspelled key. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const kept = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length];
}

/** The known key a misspelling most likely meant, if one is close. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const ranked = known
    .map((k) => ({ k, d: k.toLowerCase() === lower ? 0 : distance(lower, k.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(1, Math.min(3, Math.floor(x.k.length / 3))))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k));
  return ranked[0]?.k;
}

/** Every problem of `value` against `shape`, under `at` (a dotted path; '' for the root). */
export function shapeProblems(value: unknown, shape: Shape, at = ''): ShapeProblem[] {
  if (shape === '*' || value === undefined) return [];
  const node = shape;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean': {
      if (typeof value === 'number' && !Number.isFinite(value) && (node.types ?? []).includes('number')) {
        return [{ field: at, kind: 'value', message: `${value} must be a finite number` }];
      }
      if ((node.types ?? []).includes(typeof value as 'string')) return [];
      if ((node.values ?? []).includes(value)) return [];
      const sameType = (node.values ?? []).some((v) => typeof v === typeof value);
      return [{ field: at, kind: sameType ? 'value' : 'type', message: `${describe(value)} must be ${expected(node)}` }];
    }
    case 'object': {
      if (value === null) return [{ field: at, kind: 'type', message: `null must be ${expected(node)}` }];
      if (isLayerRef(value)) return [];
      if (Array.isArray(value)) {
        if (node.items === undefined) return [{ field: at, kind: 'type', message: `a list must be ${expected(node)}` }];
        return value.flatMap((item, i) => shapeProblems(item, node.items!, `${at}[${i}]`));
      }
      if (!isPlainObject(value)) return []; // a class instance (a token, a construct): not plain config data
      if (node.props === undefined && node.index === undefined) {
        return [{ field: at, kind: 'type', message: `an object must be ${expected(node)}` }];
      }
      const problems: ShapeProblem[] = [];
      const known = Object.keys(node.props ?? {});
      for (const [key, child] of Object.entries(value)) {
        const own = node.props?.[key];
        if (own !== undefined) problems.push(...shapeProblems(child, own, join(at, key)));
        else if (node.index !== undefined) problems.push(...shapeProblems(child, node.index, join(at, key)));
        else {
          const guess = closestKey(key, known);
          problems.push({
            field: join(at, key),
            kind: 'key',
            message: `is not a known setting${guess ? ` (did you mean ${guess}?)` : ''}; known: ${known.join(', ') || 'none'}`,
          });
        }
      }
      return problems;
    }
    default:
      return [];
  }
}
