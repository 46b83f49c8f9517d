// The pack as a whole: its policies, enforcement levels, metadata, and its contracts with the rest
// of berth (label keys, pinned versions). index.ts is not imported: it would start the analyzer.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RULES, ruleNamed } from "../../policy/catalog";
import { PACK_NAME, containerPolicies, policyPackArgs } from "../../policy/crossguard";

const ROOT = join(__dirname, "..", "..");
const readJson = (file: string) => JSON.parse(readFileSync(join(ROOT, file), "utf8"));

const NAMES_AND_IDS = [
  ["container-non-root-user", "4.1", "4.1"],
  ["container-capabilities-dropped", "5.4", "5.3"],
  ["container-not-privileged", "5.5", "5.4"],
  ["container-no-sensitive-host-mounts", "5.6", "5.5"],
  ["container-no-privileged-host-ports", "5.8", "5.7"],
  ["container-no-host-network", "5.10", "5.9"],
  ["container-memory-limited", "5.11", "5.10"],
  ["container-cpu-limited", "5.12", "5.11"],
  ["container-read-only-rootfs", "5.13", "5.12"],
  ["container-restart-bounded", "5.15", "5.14"],
  ["container-no-host-pid", "5.16", "5.15"],
  ["container-no-host-ipc", "5.17", "5.16"],
  ["container-no-new-privileges", "5.26", "5.25"],
  ["container-healthcheck", "5.27", "5.26"],
  ["container-pids-limited", "5.29", "5.28"],
  ["container-no-docker-socket", "5.32", "5.31"],
];

describe("policy pack: the pack", function () {
  it("has one policy per rule: names, CIS v1.6.0 ids and the v1.2–1.3 ids, in id order", function () {
    assert.deepEqual(
      RULES.map((r) => [r.name, r.id, r.legacyId]),
      NAMES_AND_IDS,
    );
    assert.deepEqual(
      containerPolicies().map((p) => p.name),
      NAMES_AND_IDS.map(([name]) => name),
    );
  });

  it("makes every policy mandatory by default, at pack and policy level", function () {
    const args = policyPackArgs();
    assert.equal(PACK_NAME, "berth-cis-docker");
    assert.equal(args.enforcementLevel, "mandatory");
    assert.deepEqual(new Set(args.policies.map((p) => p.enforcementLevel)), new Set(["mandatory"]));
  });

  it("takes a default level and per-policy overrides", function () {
    const policies = containerPolicies({
      enforcementLevel: "advisory",
      overrides: { "container-no-docker-socket": "mandatory", "container-healthcheck": "disabled" },
    });
    const levels = Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]));
    assert.equal(levels["container-no-docker-socket"], "mandatory");
    assert.equal(levels["container-healthcheck"], "disabled");
    assert.equal(levels["container-read-only-rootfs"], "advisory");
    assert.equal(policyPackArgs({ enforcementLevel: "advisory" }).enforcementLevel, "advisory");
  });

  it("fails when an override names no policy", function () {
    assert.throws(() => containerPolicies({ overrides: { "container-readonly": "advisory" } }), {
      message: `unknown policy name(s) in overrides: container-readonly; known: ${NAMES_AND_IDS.map(([name]) => name).join(", ")}`,
    });
    assert.throws(() => ruleNamed("nope"), {
      message: `no CIS rule named "nope"; known: ${NAMES_AND_IDS.map(([name]) => name).join(", ")}`,
    });
  });

  it("describes each policy with its CIS framework entry, severity and remediation", function () {
    const socket = containerPolicies().find((p) => p.name === "container-no-docker-socket");
    assert.deepEqual(
      {
        description: socket?.description,
        displayName: socket?.displayName,
        severity: socket?.severity,
        framework: socket?.framework,
        remediationSteps: socket?.remediationSteps,
      },
      {
        description: "CIS Docker Benchmark v1.6.0 5.32 for docker.Container: the Docker socket is not mounted.",
        displayName: "CIS 5.32 the Docker socket is not mounted",
        severity: "critical",
        framework: {
          name: "CIS Docker Benchmark",
          version: "1.6.0",
          reference: "https://www.cisecurity.org/benchmark/docker",
          specification: "5.32",
        },
        remediationSteps:
          "remove the mount; a worker pool that must drive Docker opts in with berth:workers.dockerSocket: true, which labels its containers berth.allow-docker-socket=true",
      },
    );
  });

  it("declares the capability allow-list as policy config, never enforcementLevel (the SDK reserves it)", function () {
    const withSchema = containerPolicies().filter((p) => p.configSchema !== undefined);
    assert.deepEqual(
      withSchema.map((p) => [p.name, Object.keys(p.configSchema?.properties ?? {})]),
      [["container-capabilities-dropped", ["allowedCapabilities"]]],
    );
  });
});

describe("policy pack: contracts with the rest of berth", function () {
  it("pins its dependencies to the root's versions", function () {
    const root = { ...readJson("package.json").dependencies, ...readJson("package.json").devDependencies };
    const pack = readJson("policy/package.json");
    const all = { ...pack.dependencies, ...pack.devDependencies };
    assert.deepEqual(Object.keys(pack.dependencies), ["@pulumi/policy", "@pulumi/pulumi", "cli-table3"]);
    assert.deepEqual(all, Object.fromEntries(Object.keys(all).map((name) => [name, root[name]])));
    assert.equal(typeof pack.version, "string"); // PolicyPack reads it at start
  });
});
