// The cdktf app (cdktf.json "app", make synth, npm run synth): runs main.ts from the prebuilt bundle of the app
// (scripts/bundle.js), building the bundle first when the sources changed since it was built.
// APP_BUNDLE=0 runs main.ts from source through scripts/register.js instead, the way it ran before the bundle.
'use strict';
if (process.env.APP_BUNDLE === '0') {
  require('./register.js');
  require('../main.ts');
} else {
  const { freshBundle, runBundle } = require('./bundle.js');
  freshBundle('main.ts').then(({ file }) => runBundle(file), (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
