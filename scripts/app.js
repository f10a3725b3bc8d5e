// The cdktf app (cdktf.json "app", make synth, npm run synth): runs main.ts from the prebuilt bundle of the app
// (scripts/bundle.js), building the bundle first when the sources changed since it was built.
// APP_BUNDLE=0 runs it from source through scripts/register.js instead, the way it ran before the bundle.
// APP_ENTRY=<file.ts> runs another entry of the repository the same way (the benchmark's generated organisations).
// DEBUG=1 (or NODE_OPTIONS=--enable-source-maps) maps stack traces from the bundle back to the .ts lines (the bundle has
// a source map; scripts/register.js does the same for the run from source).
'use strict';
if (process.env.DEBUG === '1') process.setSourceMapsEnabled(true);
const entry = process.env.APP_ENTRY || 'main.ts';
if (process.env.APP_BUNDLE === '0') {
  require('./register.js');
  require(require('path').resolve(__dirname, '..', entry));
} else {
  const { freshBundle, runBundle } = require('./bundle.js');
  freshBundle(entry).then(({ file }) => runBundle(file), (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
