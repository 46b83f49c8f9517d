import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "../../lab/berth-program";
import { deferredModule } from "../../testing/sdk-load";

describe("sdk-load: the Pulumi SDK without its closure serializer's tools until one is used", () => {
  it("a deferred module loads once, on first use, and then behaves as the module", () => {
    let loads = 0;
    const m = deferredModule(() => {
      loads++;
      return { Arborist: class Arborist {}, version: "9" };
    }) as Record<string, unknown>;
    // What TypeScript's __importStar asks first: it must not load the module.
    assert.equal(m.__esModule, true);
    assert.equal(loads, 0);
    assert.equal(m.version, "9");
    assert.equal(typeof m.Arborist, "function");
    assert.equal("Arborist" in m, true);
    assert.deepEqual(Object.keys(m), ["Arborist", "version"]);
    assert.equal(loads, 1);
    // Once loaded, __esModule is the module's own answer.
    assert.equal(m.__esModule, undefined);
  });

  it("in a fresh process: the SDK loads without Arborist or TypeScript, and serializeFunction still works (loading them then)", () => {
    // The module compiled here and run by plain node: a TypeScript loader in the child would load
    // TypeScript itself.
    const file = join(REPO_ROOT, "testing", "sdk-load.ts");
    const js = ts.transpileModule(readFileSync(file, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const script = `
      const Module = require("node:module");
      const file = ${JSON.stringify(file.replace(/\.ts$/, ".js"))};
      const m = new Module(file, module);
      m.filename = file;
      m.paths = Module._nodeModulePaths(require("node:path").dirname(file));
      m._compile(process.env.SDK_LOAD_JS, file);
      const pulumi = m.require("@pulumi/pulumi");
      const loaded = (name) => Object.keys(require.cache).some((k) => k.includes(name));
      const before = { arborist: loaded("/@npmcli/arborist/"), typescript: loaded("/node_modules/typescript/") };
      const x = 41;
      pulumi.runtime.serializeFunction(() => x + 1).then((s) => {
        const after = { typescript: loaded("/node_modules/typescript/"), serialized: s.text.includes("x + 1") };
        console.log(JSON.stringify({ before, after }));
      });`;
    const out = execFileSync(process.execPath, ["--no-deprecation", "--no-warnings", "-e", script], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, SDK_LOAD_JS: js },
    });
    assert.deepEqual(JSON.parse(out), {
      before: { arborist: false, typescript: false },
      after: { typescript: true, serialized: true },
    });
  });
});
