// `npm run bundle` (the image build runs it after tsc): each entry point of dist/ bundled with its
// dependencies into bundle/, which the image ships as /app/dist. A container's Node then reads one
// file instead of every module of pg, ioredis and zod: ~75 ms less CPU per start, on the critical
// path of every orchestrator and worker.
const { buildSync } = require("esbuild");

buildSync({
  entryPoints: ["dist/orchestrator.js", "dist/worker.js", "dist/healthcheck.js"],
  outdir: "bundle",
  bundle: true,
  platform: "node",
  target: "node20", // package.json engines
  logLevel: "warning",
  // Node 20 has no navigator global (21+ has). Without one pg builds a fetch Response at load to
  // rule out a Cloudflare Worker, which loads undici: ~20 ms of CPU per start. These bundles only
  // run on Node, so they see the navigator Node 21+ has.
  define: { navigator: JSON.stringify({ userAgent: "Node.js" }) },
});
