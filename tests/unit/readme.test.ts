// README stays true to the code: its configuration table is the generated one, and its layout
// block names every folder of the repository (and nothing that is not there).
import { strict as assert } from "node:assert";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { withTable } from "../../scripts/config-table";
import { REPO_ROOT } from "../../lab/berth-program";

const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

/** The paths the layout block names: top-level entries and the entries indented under components/. */
function layoutPaths(): string[] {
  const block = readme.slice(readme.indexOf("Layout:")).split("```")[1];
  const paths: string[] = [];
  let parent = "";
  for (const line of block.split("\n").filter((l) => l.trim() !== "")) {
    const name = line.trim().split(/\s+/)[0];
    if (line.startsWith("  ")) paths.push(`${parent}${name}`);
    else {
      paths.push(name);
      parent = name.endsWith("/") ? name : parent;
    }
  }
  return paths.map((p) => p.replace(/\/$/, ""));
}

const folders = (dir: string) =>
  readdirSync(join(REPO_ROOT, dir))
    .filter(
      (name) => !["node_modules", "dist", ".git"].includes(name) && statSync(join(REPO_ROOT, dir, name)).isDirectory(),
    )
    .map((name) => (dir === "." ? name : `${dir}/${name}`));

describe("README", function () {
  it("holds the configuration table generated from the schema (else run: npm run config-table -- --write)", function () {
    assert.equal(readme, withTable(readme));
  });

  it("names every folder of the repository and of components/ in its layout block", function () {
    const named = layoutPaths();
    const expected = [...folders("."), ...folders("components"), ...folders("tests")].filter(
      (f) => f !== ".github" && f !== "tests",
    );
    assert.deepEqual(
      expected.filter((f) => !named.some((n) => n === f || n.startsWith(`${f}/`))),
      [],
    );
  });

  it("names nothing in its layout block that does not exist", function () {
    assert.deepEqual(
      layoutPaths().filter((p) => !existsSync(join(REPO_ROOT, p))),
      [],
    );
  });
});
