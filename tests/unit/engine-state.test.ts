import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reaperLogPath } from "../../testing/engine/engine-state";

describe("engine mode's state directory", () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), "berth-state-unit-"))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("the reaper's log: beside the state file, in a directory made private when the first up finds none", () => {
    const dir = join(root, "not", "yet");
    assert.equal(reaperLogPath({ project: "my.app", stack: "ci/1" }, dir), join(dir, "my.app.ci%2F1.reaper.log"));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });
});
