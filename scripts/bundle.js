// The app as one prebuilt file: `node scripts/bundle.js [entry.ts]` builds it if the sources changed (make install runs
// it); scripts/app.js runs from it, building it first when it is missing or stale.
//
// Why: run from source, every process resolves and reads about 700 modules (the project's .ts files, cdktf, constructs
// and the provider classes the layers use), and a cold transpile cache also loads the TypeScript compiler and
// transpiles every file (docs/benchmarks.md). esbuild bundles all of it, transpiled, into one file in about half a
// second, so the first synth after a clone costs about what every later one does (the difference is V8's code cache,
// see runBundle).
//
// Freshness: a bundle is named by a hash of everything it is made from: the contents of every .ts file under lib/,
// layers/, modules/ and projects/ and of the entry, the list of those files (a new project, account or layer file
// changes it), tsconfig.json, package-lock.json (dependency versions), esbuild's version, this file and the path of
// the checkout. Every run hashes them again (10 to 30 ms) and uses the bundle of that hash only, so an edit is always
// picked up and a stale bundle is never run. The build refuses a bundle whose sources lie outside the hashed folders.
//
// Project files: lib/organisation.ts `require`s projects/<project>/**/*.ts by path at run time. The bundle compiles
// every one of them in and publishes them under BUNDLED_PROJECT_FILES (absolute path -> load function, evaluated on
// first use as require would), and readProjectFolder loads them from there.
//
// The code V8 compiles from the bundle is cached next to it (<hash>.code), written by the first run that lacks it.
// `--warm` (npm's prepare, so `npm ci` and `make install` on a fresh clone) runs the app once into a throwaway folder
// to write it, so that even the first synth after a clone runs from compiled code.
'use strict';
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const os = require('os');
const path = require('path');
const { parseArgs } = require('util');
const vm = require('vm');

const ROOT = path.resolve(__dirname, '..');
/** Folders whose .ts files the app is made of; projects/ is also read by the app at run time. */
const SOURCE_DIRS = ['lib', 'layers', 'modules', 'projects'];
const BUNDLED_PROJECT_FILES = Symbol.for('cdktf-leverage/bundled-project-files');
/** Bundles kept per folder besides the newest (about 18 MB each with map and code cache): switching back and forth between branches reuses them. */
const KEEP = 2;

function bundleDir(root) {
  return process.env.APP_BUNDLE_DIR || path.join(root, 'node_modules', '.cache', 'app-bundle');
}

/** Repository-relative paths of the .ts files under the source folders, sorted. */
function sourceFiles(root) {
  const files = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(child);
    }
  };
  for (const dir of SOURCE_DIRS) if (fs.existsSync(path.join(root, dir))) walk(dir);
  return files.sort();
}

function readOptional(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

/** The hash that names the bundle of `entry` (repository-relative, e.g. main.ts) for the sources as they are now. */
function bundleKey(root, entry) {
  const hash = crypto.createHash('sha256');
  const add = (label, content) => hash.update(`${label}\0${content.length}\0`).update(content);
  add('root', root);
  add('entry', entry);
  add('bundle.js', fs.readFileSync(__filename));
  add('esbuild', readOptional(path.join(root, 'node_modules', 'esbuild', 'package.json')));
  add('tsconfig.json', readOptional(path.join(root, 'tsconfig.json')));
  add('package-lock.json', readOptional(path.join(root, 'package-lock.json')));
  const files = new Set(sourceFiles(root));
  files.add(entry);
  for (const file of [...files].sort()) add(file, fs.readFileSync(path.join(root, file)));
  return hash.digest('hex').slice(0, 32);
}

/** The generated entry: publishes the project files, then runs the real entry. */
function entrySource(root, entry) {
  const projectFiles = sourceFiles(root).filter((f) => f.startsWith('projects/'));
  const loaders = projectFiles.map((f) => `  [${JSON.stringify(path.join(root, f))}, () => require(${JSON.stringify(`./${f}`)})],`);
  return [
    `globalThis[Symbol.for(${JSON.stringify(BUNDLED_PROJECT_FILES.description)})] = new Map([`, ...loaders, ']);',
    `require(${JSON.stringify(`./${entry}`)});`, '',
  ].join('\n');
}

/** __dirname and __filename of a bundled .ts file are its own, not the bundle's (e.g. layers/serverless.ts finds assets/ by them). */
function ownPaths(root) {
  return {
    name: 'own-dirname',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(`${root}${path.sep}`) || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        let contents = fs.readFileSync(args.path, 'utf8');
        if (/\b__(dirname|filename)\b/.test(contents)) {
          contents = `const __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)};\n${contents}`;
        }
        return { contents, loader: 'ts' };
      });
    },
  };
}

/**
 * Builds the bundle of `entry` into `outfile` (written whole or not at all). Throws with esbuild's messages on a syntax
 * error. Two passes: the project's own files first, with their function and class names kept (the layer graph records
 * layer kinds by class name, and a bundle renames a top-level name that another file also declares); then that file
 * with the packages it requires, which keep their names anyway (each package file stays a closure of its own) and
 * would cost a tenth of a synth in name-keeping calls.
 */
async function build(root, entry, outfile) {
  let esbuild;
  try {
    esbuild = require(path.join(root, 'node_modules', 'esbuild'));
  } catch {
    throw new Error('esbuild is not installed: run `make install` (or `npm ci`), or APP_BUNDLE=0 to run the app from source');
  }
  const partial = `${outfile}.${process.pid}.tmp`;
  const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent', sourcesContent: false };
  let inputs;
  try {
    const own = await esbuild.build({
      ...common,
      stdin: { contents: entrySource(root, entry), resolveDir: root, sourcefile: 'app-bundle-entry.js', loader: 'js' },
      packages: 'external',
      keepNames: true,
      sourcemap: 'inline',
      metafile: true,
      write: false,
      outfile: path.join(root, 'app-bundle-own.js'),
      plugins: [ownPaths(root)],
    });
    inputs = Object.keys(own.metafile.inputs);
    await esbuild.build({
      ...common,
      stdin: { contents: own.outputFiles[0].text, resolveDir: root, sourcefile: 'app-bundle-own.js', loader: 'js' },
      outfile: partial,
      sourcemap: 'linked',
    });
  } catch (error) {
    if (!error.errors) throw error;
    const shown = await esbuild.formatMessages(error.errors.slice(0, 5), { kind: 'error', color: false });
    const more = error.errors.length > 5 ? `\n... and ${error.errors.length - 5} more` : '';
    throw new Error(`cannot bundle ${entry}:\n${shown.join('').trim()}${more}`);
  }
  const hashed = new Set(sourceFiles(root).concat(entry));
  const outside = inputs
    .filter((input) => input !== 'app-bundle-entry.js' && !hashed.has(path.relative(root, path.resolve(root, input)).split(path.sep).join('/')));
  if (outside.length > 0) {
    fs.rmSync(partial, { force: true });
    fs.rmSync(`${partial}.map`, { force: true });
    throw new Error(`scripts/bundle.js: ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} bundled but not hashed: add the folder to SOURCE_DIRS`);
  }
  // The map first: a bundle that exists is complete.
  fs.renameSync(`${partial}.map`, `${outfile}.map`);
  fs.writeFileSync(partial, fs.readFileSync(partial, 'utf8').replace(/\/\/# sourceMappingURL=.*\n?$/, `//# sourceMappingURL=${path.basename(outfile)}.map\n`));
  fs.renameSync(partial, outfile);
}

/** Removes all but the newest bundles of the folder. */
function prune(dir, keep) {
  const bundles = fs.readdirSync(dir).filter((f) => /^[0-9a-f]{32}\.js$/.test(f))
    .map((f) => ({ f, mtime: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { f } of bundles.slice(keep + 1)) {
    for (const suffix of ['', '.map', '.code']) fs.rmSync(path.join(dir, `${f}${suffix}`), { force: true });
  }
}

/** The path of the bundle of `entry` for the current sources, built first if there is none. */
async function freshBundle(entry = 'main.ts', root = ROOT) {
  const dir = bundleDir(root);
  const file = path.join(dir, `${bundleKey(root, entry)}.js`);
  if (fs.existsSync(file)) return { file, built: false };
  fs.mkdirSync(dir, { recursive: true });
  await build(root, entry, file);
  prune(dir, KEEP);
  return { file, built: true };
}

/**
 * Writes the V8 code cache of `file` (the bundle of `entry`) if it has none, by running the whole app once from it
 * into a throwaway folder: the cache then holds every function a synth compiles. In one process (SYNTH_WORKERS=1), so
 * that the cache is that of a whole synth. A synth that fails (a configuration error) still writes it. Returns whether
 * a cache exists afterwards.
 */
function warmCodeCache(file, entry = 'main.ts', root = ROOT) {
  if (fs.existsSync(`${file}.code`)) return true;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-bundle-warm-'));
  try {
    const env = { ...process.env, APP_BUNDLE: '1', APP_BUNDLE_DIR: path.dirname(file), APP_ENTRY: entry, CDKTF_OUTDIR: outdir, SYNTH_WORKERS: '1' };
    delete env.DEBUG;
    delete env.NODE_OPTIONS;
    spawnSync(process.execPath, [path.join(__dirname, 'app.js')], { cwd: root, env, stdio: 'ignore' });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  return fs.existsSync(`${file}.code`);
}

/**
 * Runs a bundle as the main module, with V8's compiled code cached next to it: a warm run skips parsing and compiling
 * the 9 MB file. A cache V8 rejects (another Node version) is rewritten. With --enable-source-maps it is loaded
 * plainly instead, so that stack traces point at the .ts lines.
 */
function runBundle(file) {
  // Node maps stack traces through the bundle's source map only for files its own loader compiled.
  if (process.sourceMapsEnabled) {
    require(file);
    return;
  }
  const codeFile = `${file}.code`;
  const cachedData = readOptional(codeFile);
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), {
    filename: file,
    cachedData: cachedData.length > 0 ? cachedData : undefined,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData.length === 0 || script.cachedDataRejected) {
    // After the run: the cache then holds every function the synth compiled, not only the top level. A missing cache
    // is only created, never replaced: with synth workers, each worker (a whole share of the stacks) exits before the
    // parent (which only loaded the configuration), and the first complete one is kept. A rejected one is replaced.
    const replace = script.cachedDataRejected === true;
    process.once('exit', () => {
      const partial = `${codeFile}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(partial, script.createCachedData());
        if (replace) fs.renameSync(partial, codeFile);
        else fs.linkSync(partial, codeFile);
      } catch {
        // A cache that cannot be written, or was written by another process first, only costs compile time.
      } finally {
        fs.rmSync(partial, { force: true });
      }
    });
  }
  const mod = new Module(file, null);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  mod.loaded = true;
  const wrapper = script.runInThisContext();
  wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
}

module.exports = { bundleKey, freshBundle, runBundle, sourceFiles, warmCodeCache, BUNDLED_PROJECT_FILES };

if (require.main === module) {
  let args;
  try {
    args = parseArgs({ options: { warm: { type: 'boolean', default: false } }, allowPositionals: true });
    if (args.positionals.length > 1) throw new Error('one entry at most');
  } catch (error) {
    process.stderr.write(`usage: node scripts/bundle.js [--warm] [entry.ts] (${error.message})\n`);
    process.exit(2);
  }
  const entry = args.positionals[0] || 'main.ts';
  freshBundle(entry).then(({ file, built }) => {
    const cached = args.values.warm && warmCodeCache(file, entry);
    process.stdout.write(`${built ? 'built' : 'up to date'}: ${path.relative(process.cwd(), file)}${cached ? ' (with its V8 code cache)' : ''}\n`);
  }, (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
