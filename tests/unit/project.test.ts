// The project as the Pulumi CLI reads it: which file `pulumi up` runs.
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../../lab/berth-program";

describe("Pulumi project", function () {
  const project = parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8"));

  it("runs the compiled index.ts: Pulumi.yaml names dist/index.js, since package.json's exports point at the component library", function () {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    // Without `main`, the Node language host would run exports["."] (the library, no resources).
    assert.equal(pkg.exports["."].default, "./dist/components/index.js");
    assert.equal(project.main, "dist/index.js");
    // No TypeScript compile at `pulumi up`: the program is JavaScript already.
    assert.deepEqual(project.runtime, { name: "nodejs", options: { typescript: false } });
  });

  it("gets dist/index.js from `npm run build`, with the freshness check it imports", function () {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    const build = JSON.parse(readFileSync(join(REPO_ROOT, "tsconfig.build.json"), "utf8"));
    assert.match(pkg.scripts.build, /^tsc -p tsconfig\.build\.json/);
    assert.deepEqual(build.include.slice(0, 2), ["index.ts", "fresh-build.ts"]);
    assert.equal(JSON.parse(readFileSync(join(REPO_ROOT, "tsconfig.json"), "utf8")).compilerOptions.outDir, "dist");
    assert.ok(existsSync(join(REPO_ROOT, "index.ts")));
  });
});
