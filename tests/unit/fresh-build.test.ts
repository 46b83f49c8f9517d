// `pulumi up` runs dist/index.js: the program refuses to run from a build older than its sources,
// and the test kit runs the file Pulumi.yaml names.
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertFreshBuild, sourcesNewerThan } from "../../fresh-build";
import { projectProgram } from "../../testing/program";

describe("fresh build", function () {
  let root: string;
  const write = (rel: string, atSeconds: number, text = ""): void => {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), text);
    utimesSync(join(root, rel), atSeconds, atSeconds);
  };
  const BUILT = 1_800_000_000; // seconds since the epoch

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "berth-fresh-build-"));
    write("index.ts", BUILT - 60);
    write("components/a.ts", BUILT - 60);
    write("components/deep/b.ts", BUILT - 60);
    write("gate/cli.ts", BUILT - 60);
    write("tools/pick-subnet.ts", BUILT - 60);
    write("dist/index.js", BUILT);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("passes when every source is older than the compiled program", function () {
    assert.deepEqual(sourcesNewerThan(root, BUILT * 1000), []);
    assertFreshBuild(join(root, "dist/index.js"));
  });

  it("names the sources edited after the build, in every source directory, and says what to run", function () {
    write("components/deep/b.ts", BUILT + 5);
    write("gate/cli.ts", BUILT + 1);
    write("tools/pick-subnet.ts", BUILT + 2);
    write("components/types.d.ts", BUILT + 9); // declarations are not compiled
    write("components/notes.md", BUILT + 9); // nor anything else
    write("policy/x.ts", BUILT + 9); // not what `pulumi up` runs
    assert.deepEqual(sourcesNewerThan(root, BUILT * 1000), [
      "components/deep/b.ts",
      "gate/cli.ts",
      "tools/pick-subnet.ts",
    ]);
    assert.throws(
      () => assertFreshBuild(join(root, "dist/index.js")),
      (err: Error) =>
        err.message ===
        "dist/index.js is older than components/deep/b.ts, gate/cli.ts, tools/pick-subnet.ts: run `npm run build` first (pulumi up runs the compiled program, Pulumi.yaml main)",
    );
  });

  it("lists three sources and counts the rest", function () {
    for (const f of ["index.ts", "components/a.ts", "components/deep/b.ts", "gate/cli.ts", "gate/x.ts"])
      write(f, BUILT + 1);
    assert.throws(
      () => assertFreshBuild(join(root, "dist/index.js")),
      /is older than components\/a\.ts, components\/deep\/b\.ts, gate\/cli\.ts and 2 more: run/,
    );
  });

  it("checks nothing when the program runs from its TypeScript source (ts-node)", function () {
    write("components/a.ts", BUILT + 1);
    assertFreshBuild(join(root, "index.ts"));
  });

  it("the test kit runs the file Pulumi.yaml's main names, and says to build it when it is missing", async function () {
    write("Pulumi.yaml", BUILT, "name: p\nmain: dist/index.js\nruntime: nodejs\n");
    write("dist/index.js", BUILT, "exports.answer = 42;\n");
    assert.deepEqual({ ...((await projectProgram(root)()) as object) }, { answer: 42 });
    rmSync(join(root, "dist"), { recursive: true });
    assert.throws(
      () => projectProgram(root)(),
      (err: Error) =>
        err.message ===
        `${join(root, "dist/index.js")} (Pulumi.yaml main) does not exist: build the program first (e.g. npm run build)`,
    );
  });

  it("without main, runs the directory as Node resolves it (package.json main)", async function () {
    write("Pulumi.yaml", BUILT, "name: p\nruntime: nodejs\n");
    write("package.json", BUILT, JSON.stringify({ main: "lib/run.js" }));
    write("lib/run.js", BUILT, "exports.from = 'package main';\n");
    assert.deepEqual({ ...((await projectProgram(root)()) as object) }, { from: "package main" });
  });
});
