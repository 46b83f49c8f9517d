// The stacks berth ships pass its own mandatory policy pack: every container of the test and dev
// stacks, as the program declares them, through every policy.
import { strict as assert } from "node:assert";
import { containerPolicies } from "../../policy/crossguard";
import { ProgramRun } from "../../testing/recorder";
import { runProgram } from "../../lab/berth-program";
import { violationsOf } from "../support/policy-harness";

const POLICIES = containerPolicies();
const CONTAINER = "docker:index/container:Container";

async function allViolations(run: ProgramRun): Promise<string[]> {
  const found: string[] = [];
  for (const c of run.resources.filter((r) => r.type === CONTAINER)) {
    for (const policy of POLICIES) {
      for (const message of await violationsOf(POLICIES, policy.name, c.inputs, { resourceName: c.name }))
        found.push(`${c.name}: ${message}`);
    }
  }
  return found;
}

describe("policy pack on berth's own stacks", function () {
  this.timeout(30_000);

  for (const stack of ["test", "dev"]) {
    it(`the ${stack} stack has no violation`, async function () {
      const run = await runProgram(stack);
      assert.equal(run.resources.filter((r) => r.type === CONTAINER).length, 6);
      assert.deepEqual(await allViolations(run), []);
    });
  }

  it("an explicit opt-out is honoured, and only for that container and rule", async function () {
    const run = await runProgram("test", { "berth:hardening": { redis: { readOnly: false } } });
    assert.deepEqual(await allViolations(run), []);
    const redis = run.resources.find((r) => r.type === CONTAINER && r.name === "berth-redis")!;
    const withoutLabel = {
      ...redis.inputs,
      labels: redis.inputs.labels.filter((l: { label: string }) => l.label !== "berth.opt-out"),
    };
    assert.deepEqual(await violationsOf(POLICIES, "container-read-only-rootfs", withoutLabel), [
      "CIS 5.13 (root filesystem is read-only): the root filesystem is writable. Fix: set readOnly: true and give writable paths a tmpfs, or opt this container out explicitly under berth:hardening.redis.readOnly.",
    ]);
  });

  it("fails when config adds a capability the pack's allow-list lacks: no label waives it", async function () {
    const run = await runProgram("test", { "berth:hardening": { workers: { capAdd: ["SYS_PTRACE"] } } });
    const worker = run.resources.find((r) => r.type === CONTAINER && r.name === "berth-worker-0")!;
    assert.equal(
      worker.inputs.labels.find((l: { label: string }) => l.label === "berth.opt-out"),
      undefined,
    );
    const violation =
      "CIS 5.4 (Linux kernel capabilities are restricted): adds [SYS_PTRACE], not on the allow-list [CHOWN, SETGID, SETUID, NET_BIND_SERVICE]. " +
      'Fix: set capabilities: { drops: ["ALL"] } and add back only capabilities on the allow-list (policy config "allowedCapabilities"), through berth:hardening.workers.capAdd.';
    assert.deepEqual(await allViolations(run), [`berth-worker-0: ${violation}`, `berth-worker-1: ${violation}`]);
    // The pack's own config is the one place that can allow it.
    const config = { allowedCapabilities: ["SYS_PTRACE"] };
    assert.deepEqual(await violationsOf(POLICIES, "container-capabilities-dropped", worker.inputs, { config }), []);
  });
});
