// How the image runs a bundled entry point: compiled as Node compiles a CommonJS file, with the V8
// code cache `bundle.js` made at image build. The cache holds the bytecode of the bundle's top
// level (pg, ioredis and zod's module code), which Node otherwise compiles at every container
// start. V8 takes a cache only from the same Node build and flags, and otherwise compiles as
// usual, so a missing or refused cache costs time, never correctness. V8 checks a cache against
// the source's length only, so the cache file starts with the SHA-256 of the source it was made
// from (under a millisecond to check) and is not offered for any other.
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

/** Writes the code cache of `bundleFile` (run by the Node that will run the bundle). */
function writeCodeCache(bundleFile) {
  const { source, digest } = readBundle(bundleFile);
  writeFileSync(cacheFileOf(bundleFile), Buffer.concat([digest, compile(bundleFile, source).createCachedData()]));
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

/** Runs `bundleFile` as a CommonJS module; returns its compiled script (cachedDataRejected tells). */
function runBundle(bundleFile) {
  const { source, digest } = readBundle(bundleFile);
  const script = compile(bundleFile, source, cacheFor(bundleFile, digest));
  const module = { exports: {} };
  // The bundles require only Node's built-in modules, which any require resolves alike.
  script.runInThisContext().call(module.exports, module.exports, require, module, bundleFile, dirname(bundleFile));
  return script;
}

module.exports = { cacheFileOf, writeCodeCache, runBundle };
