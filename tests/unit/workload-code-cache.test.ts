// How the workload image runs a bundled entry point (services/code-cache.js): as a CommonJS module,
// from the V8 code cache made beside it when this Node made it, compiled as usual otherwise. Each
// run is a fresh Node, as a container start is (within one process V8's own compilation cache
// would answer instead). The image itself (its layout, the cache taken in a container):
// tests/integration/workload-image.test.ts.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const CODE_CACHE = resolve(__dirname, "../../services/code-cache.js");
const LAUNCHER = resolve(__dirname, "../../services/launcher.js");

// As an entry point's bundle: its top level only defines start(), which the launcher calls.
const BUNDLE = `"use strict";
module.exports.answer = 42;
globalThis.berthCodeCacheProbe = {
  filename: __filename,
  dirname: __dirname,
  thisIsExports: this === exports,
  joined: require("node:path").join("a", "b"),
  exported: module.exports.answer,
};
module.exports.start = () => console.log("started");
`;

/** Makes the cache as bundle.js does, in a Node of its own; returns what the bundle's top level saw there. */
function writeCodeCache(bundle: string): { seen: unknown; stdout: string } {
  const r = spawnSync(
    process.execPath,
    [
      "-e",
      `require(${JSON.stringify(CODE_CACHE)}).writeCodeCache(${JSON.stringify(bundle)}); console.log(JSON.stringify(globalThis.berthCodeCacheProbe))`,
    ],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  return { seen: JSON.parse(lines[lines.length - 1]) as unknown, stdout: r.stdout };
}

/** Loads the bundle as the image's launcher does, in a fresh Node: whether V8 refused the cache, and what the bundle saw. */
function loadBundle(bundle: string): { rejected: boolean | null; seen: unknown } {
  const r = spawnSync(
    process.execPath,
    [
      "-e",
      `const { script } = require(${JSON.stringify(CODE_CACHE)}).loadBundle(${JSON.stringify(bundle)}); console.log(JSON.stringify({ rejected: script.cachedDataRejected ?? null, seen: globalThis.berthCodeCacheProbe }))`,
    ],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { rejected: boolean | null; seen: unknown };
}

describe("workload image: bundles run from their code cache (services/code-cache.js)", () => {
  let dir: string;
  let bundle: string;
  let seen: (answer: number) => unknown;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "berth-code-cache-"));
    bundle = join(dir, "worker.js");
    writeFileSync(bundle, BUNDLE);
    seen = (answer) => ({
      filename: bundle,
      dirname: dir,
      thisIsExports: true,
      joined: join("a", "b"),
      exported: answer,
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps a bundle's cache beside it, named after it, headed by the SHA-256 of the source it was made from", () => {
    const { cacheFileOf } = require(CODE_CACHE) as { cacheFileOf(file: string): string }; // eslint-disable-line @typescript-eslint/no-require-imports
    assert.equal(cacheFileOf("/app/dist/lib/worker.js"), "/app/dist/lib/worker.cache");
    writeCodeCache(bundle);
    const cache = readFileSync(join(dir, "worker.cache"));
    assert.equal(cache.subarray(0, 32).toString("hex"), createHash("sha256").update(BUNDLE).digest("hex"));
    assert.ok(cache.length > 32, `the cache holds ${cache.length - 32} bytes of V8 data`);
  });

  it("runs a bundle as a CommonJS module, from the cache this Node made", () => {
    writeCodeCache(bundle);
    assert.deepEqual(loadBundle(bundle), { rejected: false, seen: seen(42) });
  });

  it("makes the cache after running the bundle's top level, without starting it", () => {
    // The functions its modules ran while loading are then in the cache too.
    assert.deepEqual(writeCodeCache(bundle), { seen: seen(42), stdout: `${JSON.stringify(seen(42))}\n` });
  });

  it("the image's launcher loads lib/<its own name> from its cache and starts it", () => {
    mkdirSync(join(dir, "lib"));
    const libBundle = join(dir, "lib", "worker.js");
    writeFileSync(libBundle, BUNDLE);
    copyFileSync(CODE_CACHE, join(dir, "lib", "code-cache.js"));
    copyFileSync(LAUNCHER, join(dir, "worker.js"));
    writeCodeCache(libBundle);
    const r = spawnSync(process.execPath, [join(dir, "worker.js")], { encoding: "utf8" });
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, "started\n", ""]);
  });

  it("compiles as usual without a cache", () => {
    assert.deepEqual(loadBundle(bundle), { rejected: null, seen: seen(42) });
  });

  it("never offers a cache made from another source, even of the same length (V8 checks only the length)", () => {
    writeCodeCache(bundle);
    writeFileSync(bundle, BUNDLE.replace("= 42", "= 43"));
    assert.deepEqual(loadBundle(bundle), { rejected: null, seen: seen(43) });
  });

  it("compiles as usual when V8 refuses the cache (made by another Node or with other flags)", () => {
    writeCodeCache(bundle);
    const cache = readFileSync(join(dir, "worker.cache"));
    // The source's digest kept, V8's data garbled: V8's own checks refuse it.
    writeFileSync(
      join(dir, "worker.cache"),
      Buffer.concat([cache.subarray(0, 32), Buffer.alloc(cache.length - 32, 7)]),
    );
    assert.deepEqual(loadBundle(bundle), { rejected: true, seen: seen(42) });
  });
});
