// Preloaded into a measured process: writes its peak RSS (bytes) to $BENCH_RSS_FILE when it exits.
'use strict';
const fs = require('fs');
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) fs.writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
