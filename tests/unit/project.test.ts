// The project as the Pulumi CLI reads it: which file `pulumi up` runs.
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../../lab/berth-program";

describe("Pulumi project", function () {
  it("runs index.ts: Pulumi.yaml names it, since package.json's exports point at the component library", function () {
    const project = parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    // Without `main`, the Node language host would run exports["."] (the library, no resources).
    assert.equal(pkg.exports["."].default, "./dist/components/index.js");
    assert.equal(project.main, "index.ts");
    assert.ok(existsSync(join(REPO_ROOT, project.main)));
  });
});
