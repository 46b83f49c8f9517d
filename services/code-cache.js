// How the image runs a bundled entry point: compiled as Node compiles a CommonJS file, with the V8
// code cache `bundle.js` made at image build. The cache is made after the bundle's top level ran
// (every module of pg, ioredis and zod initialised, nothing started), so it holds the bytecode of
// the top level and of each function that ran during it, which Node otherwise compiles at every
// container start. V8 takes a cache only from the same Node build and flags, and otherwise
// compiles as usual, so a missing or refused cache costs time, never correctness. V8 checks a
// cache against the source's length only, so the cache file starts with the SHA-256 of the source
// it was made from (under a millisecond to check) and is not offered for any other.
"use strict";
const { createHash } = require("node:crypto");
const { readFileSync, writeFileSync } = require("node:fs");
const { wrap } = require("node:module");
const { dirname } = require("node:path");
const { Script } = require("node:vm");

const DIGEST_BYTES = 32;

/** Where the code cache of `bundleFile` lives: `lib/worker.js` → `lib/worker.cache`. */
function cacheFileOf(bundleFile) {
  return bundleFile.replace(/\.js$/, ".cache");
}

function readBundle(bundleFile) {
  const bytes = readFileSync(bundleFile);
  return { source: bytes.toString("utf8"), digest: createHash("sha256").update(bytes).digest() };
}

/** Compiles `bundleFile` in Node's CommonJS wrapper, taking `cachedData` when V8 accepts it. */
function compile(bundleFile, source, cachedData) {
  return new Script(wrap(source), { filename: bundleFile, cachedData });
}

/**
 * Writes the code cache of `bundleFile` (run by the Node that will run the bundle). The bundle's
 * top level runs first: an entry point only defines its start() there, and V8 then caches the
 * functions its modules ran while loading too (a worker container's start: ~10 ms less CPU, its
 * cgroup's, than with a cache of the top level alone).
 */
function writeCodeCache(bundleFile) {
  const { source, digest } = readBundle(bundleFile);
  const script = compile(bundleFile, source);
  runAsModule(script, bundleFile);
  writeFileSync(cacheFileOf(bundleFile), Buffer.concat([digest, script.createCachedData()]));
}

/** The V8 cache for this very source, or undefined (none, or made from another source). */
function cacheFor(bundleFile, digest) {
  let file;
  try {
    file = readFileSync(cacheFileOf(bundleFile));
  } catch {
    return undefined;
  }
  return file.subarray(0, DIGEST_BYTES).equals(digest) ? file.subarray(DIGEST_BYTES) : undefined;
}

/** Runs a compiled bundle as a CommonJS module; returns its exports. */
function runAsModule(script, bundleFile) {
  const module = { exports: {} };
  // The bundles require only Node's built-in modules, which any require resolves alike.
  script.runInThisContext().call(module.exports, module.exports, require, module, bundleFile, dirname(bundleFile));
  return module.exports;
}

/** Loads `bundleFile` as a CommonJS module from its cache: its exports, and its script (cachedDataRejected tells). */
function loadBundle(bundleFile) {
  const { source, digest } = readBundle(bundleFile);
  const script = compile(bundleFile, source, cacheFor(bundleFile, digest));
  return { exports: runAsModule(script, bundleFile), script };
}

module.exports = { cacheFileOf, writeCodeCache, loadBundle };
