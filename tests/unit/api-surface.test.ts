// The package surface as committed: every entry point lists its names (no `export *` of berth's own
// modules), and the reviewed reports of API Extractor (api/*.api.md, which `npm test` compares with
// the build) reference no module outside berth, its peer dependencies and the dependencies that ship
// their own types — so a team needs no types package (dockerode's types are a devDependency). Each
// name is declared by one entry point: berth/testing re-exports berth/testing/client's declarations.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const pkg = JSON.parse(read("package.json")) as {
  exports: Record<string, { types?: string }>;
  peerDependencies: Record<string, string>;
};

describe("the package surface", function () {
  it("lists every name of each entry point: no export * of berth's modules", function () {
    const wildcards = ["components/index.ts", "testing/index.ts", "testing/client/index.ts"].flatMap((f) =>
      (read(f).match(/^export \* from .*$/gm) ?? []).map((line) => `${f}: ${line}`),
    );
    assert.deepEqual(wildcards, ['testing/index.ts: export * from "./client";']);
  });

  it("points each entry point's types at its rolled-up declarations, whose report is committed", function () {
    assert.deepEqual(Object.fromEntries(Object.entries(pkg.exports).map(([entry, e]) => [entry, e.types])), {
      ".": "./dist/api/berth.d.ts",
      "./testing": "./dist/api/berth-testing.d.ts",
      "./testing/client": "./dist/api/berth-testing-client.d.ts",
      "./package.json": undefined,
    });
  });

  it("references only berth's own entry points, its peers, zod and ioredis from its published types", function () {
    const peer = (module: string) =>
      Object.keys(pkg.peerDependencies).some((p) => module === p || module.startsWith(`${p}/`));
    const own = (module: string) => Object.keys(pkg.exports).includes(module.replace(/^berth/, "."));
    const outside = ["berth", "berth-testing", "berth-testing-client"].flatMap((r) =>
      [...read(`api/${r}.api.md`).matchAll(/^import .* from '([^']+)';$/gm)]
        .map((m) => m[1])
        .filter((m) => !own(m) && !peer(m) && m !== "zod" && m !== "ioredis")
        .map((m) => `${r}: ${m}`),
    );
    assert.deepEqual(outside, []);
  });

  it("declares each name once: berth/testing re-exports berth/testing/client instead of declaring its names again", function () {
    const declared = (r: string) =>
      new Set([...read(`api/${r}.api.md`).matchAll(/^export (?:declare )?(?:abstract )?\w+ (\w+)/gm)].map((m) => m[1]));
    const testing = read("api/berth-testing.api.md");
    assert.match(testing, /^export \* from "berth\/testing\/client";$/m);
    const client = declared("berth-testing-client");
    assert.deepEqual(
      [...declared("berth-testing")].filter((name) => client.has(name)),
      [],
    );
  });
});
