// Require hook for .ts files: `node -r ./scripts/register.js main.ts`. It replaces ts-node for the app and the scripts.
//
// Why not ts-node: it re-transpiles every file in every process and installs source-map-support, which makes the
// stack trace cdktf captures for every token and construct about ten times dearer; together they were two thirds of
// a whole-organisation synth (docs/benchmarks.md). Here each file is transpiled once (TypeScript's transpileModule,
// no type-check: `make test` type-checks) and cached on disk by content, so a warm synth never loads the compiler.
// Stack traces point at the .ts lines with DEBUG=1 (the switch that prints them: main.ts, run.ts) or
// NODE_OPTIONS=--enable-source-maps: every transpiled file carries its source map inline. Not by default: Node then
// maps every stack trace a process formats, and the one-line errors print no lines anyway.
//
// Provider bindings load lazily: the app imports every layer kind, so every provider class any layer uses (170 modules,
// most of 26 MB of JavaScript), while a single-stack synth constructs one layer and needs a tenth of them. Each
// `require("@cdktf/provider-aws/lib/<resource>")` becomes a proxy that requires the module on first use.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const CACHE_DIR = process.env.TRANSPILE_CACHE_DIR || path.join(ROOT, 'node_modules', '.cache', 'transpile');
const TSCONFIG = path.join(ROOT, 'tsconfig.json');

let typescript;
let compilerOptions;
let salt;

/** Whatever changes the output besides the source: the compiler version, tsconfig.json and this file. */
function cacheSalt() {
  if (salt === undefined) {
    const version = JSON.parse(fs.readFileSync(require.resolve('typescript/package.json'), 'utf8')).version;
    salt = [version, fs.readFileSync(TSCONFIG, 'utf8'), fs.readFileSync(__filename, 'utf8')].join('\0');
  }
  return salt;
}

function transpile(source, filename) {
  if (!typescript) {
    typescript = require('typescript');
    const raw = JSON.parse(fs.readFileSync(TSCONFIG, 'utf8')).compilerOptions;
    const { options, errors } = typescript.convertCompilerOptionsFromJson(raw, ROOT);
    if (errors.length > 0) throw new Error(`tsconfig.json: ${errors.map((e) => typescript.flattenDiagnosticMessageText(e.messageText, '\n')).join('; ')}`);
    compilerOptions = { ...options, module: typescript.ModuleKind.CommonJS, inlineSourceMap: true, sourceMap: false, declaration: false, incremental: false, noEmit: false };
  }
  const result = typescript.transpileModule(source, { fileName: filename, compilerOptions, reportDiagnostics: true });
  const syntax = (result.diagnostics || []).filter((d) => d.category === typescript.DiagnosticCategory.Error);
  if (syntax.length > 0) {
    const [first] = syntax;
    const { line, character } = first.file.getLineAndCharacterOfPosition(first.start);
    throw new SyntaxError(`${filename}:${line + 1}:${character + 1}: ${typescript.flattenDiagnosticMessageText(first.messageText, '\n')}`);
  }
  return result.outputText;
}

const PROVIDER_REQUIRE = /^const (\w+) = require\("(@cdktf\/provider-aws\/lib\/[\w-]+)"\);$/gm;

/** A stand-in for a module's exports that requires it the first time anything is read from it. */
function lazy(requireModule, id) {
  let exports;
  const load = () => (exports ??= requireModule(id));
  return new Proxy({}, {
    get: (_, key) => load()[key],
    has: (_, key) => key in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Object.getOwnPropertyDescriptor(load(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}

function compiled(source, filename) {
  const key = crypto.createHash('sha256').update(cacheSalt()).update('\0').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const output = transpile(source, filename)
      .replace(PROVIDER_REQUIRE, (_, name, id) => `const ${name} = require(${JSON.stringify(__filename)}).lazy(require, ${JSON.stringify(id)});`);
    // Write then rename: processes synthesizing in parallel never read a half-written entry.
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, output);
    fs.renameSync(partial, cached);
    return output;
  }
}

module.exports = { lazy };

if (process.env.DEBUG === '1') process.setSourceMapsEnabled(true);

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  module._compile(compiled(fs.readFileSync(filename, 'utf8'), filename), filename);
};
