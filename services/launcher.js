// The image's /app/dist/orchestrator.js and /app/dist/worker.js (bundle.js copies this file to
// both): each loads lib/<its own file name>, the bundle of that entry point, with its code cache,
// and starts it. The paths are the image's: lib/ holds the bundles, their caches and code-cache.js.
"use strict";
const { basename, join } = require("node:path");
require("./lib/code-cache.js")
  .loadBundle(join(__dirname, "lib", basename(__filename)))
  .exports.start();
