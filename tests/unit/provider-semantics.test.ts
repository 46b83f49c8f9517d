// The provider semantics table (testing/engine/provider-semantics.ts): pinned to the installed
// providers (versions and every Args input), its rows for what berth declares, and operationFor.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ts from "typescript";
import { REPO_ROOT, runProgram } from "../../lab/berth-program";
import { APPLIERS, PROVIDER_TYPE } from "../../testing/engine/resources";
import {
  inputRule,
  operationFor,
  PROVIDERS,
  replaceOnChangesMatches,
  SEMANTICS,
  UNREAD_ROWS,
} from "../../testing/engine/provider-semantics";

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const VOLUME = "docker:index/volume:Volume";
const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const SERVICE = "docker:index/service:Service";
const IMAGE = "docker:index/image:Image";
const COMMAND = "command:local:Command";
const PASSWORD = "random:index/randomPassword:RandomPassword";

const sdkFile = (pkg: string, file: string) => join(REPO_ROOT, "node_modules", pkg, file);

/** One TypeScript program over every SDK declaration file the table names. */
const program = ts.createProgram(
  Object.values(SEMANTICS).map((s) => sdkFile(s.package, s.sdk.file)),
  { strict: true, noEmit: true },
);
const checker = program.getTypeChecker();

function argsInterface(pkg: string, file: string, name: string): ts.InterfaceDeclaration {
  const sf = program.getSourceFile(sdkFile(pkg, file));
  if (!sf) throw new Error(`no ${file} in ${pkg}`);
  const found = sf.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
  );
  if (!found) throw new Error(`no interface ${name} in ${pkg}/${file}`);
  return found;
}

/** The object types a property's declared type holds data as (Input, Promise, Output and arrays unwrapped). */
function dataTypes(type: ts.Type): ts.Type[] {
  const t = checker.getNonNullableType(type);
  if (t.isUnion()) return t.types.flatMap(dataTypes);
  if (t.isIntersection()) return []; // pulumi.Output<T>: the same T as the union's plain member
  const name = t.getSymbol()?.getName();
  if (name === "Promise" || name === "OutputInstance") return [];
  const element = t.getNumberIndexType();
  if (element && checker.isArrayLikeType(t)) return dataTypes(element);
  return t.getProperties().length > 0 ? [t] : [];
}

/** Whether the dotted sub-path names real properties below `type`. */
function hasPath(type: ts.Type, segments: string[], at: ts.Node): boolean {
  if (segments.length === 0) return true;
  return dataTypes(type).some((t) => {
    const prop = t.getProperty(segments[0]);
    return prop !== undefined && hasPath(checker.getTypeOfSymbolAtLocation(prop, at), segments.slice(1), at);
  });
}

describe("provider semantics table", function () {
  this.timeout(120_000);

  it("is read for the provider versions package-lock.json pins (fails when one changes: re-read the source)", () => {
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8"));
    const pinned = Object.fromEntries(
      Object.keys(PROVIDERS).map((pkg) => [pkg, lock.packages[`node_modules/${pkg}`]?.version]),
    );
    assert.deepEqual(pinned, { "@pulumi/docker": "5.2.0", "@pulumi/command": "1.2.1", "@pulumi/random": "4.21.2" });
    assert.deepEqual(Object.fromEntries(Object.entries(PROVIDERS).map(([pkg, p]) => [pkg, p.version])), pinned);
  });

  it("has a row for every input of each resource's Args in the installed SDK, and none for an input that is not there", () => {
    for (const [type, s] of Object.entries(SEMANTICS)) {
      const names = argsInterface(s.package, s.sdk.file, s.sdk.args).members.map((m) => m.name!.getText());
      assert.deepEqual(
        Object.keys(s.inputs).sort(),
        names.sort(),
        `${type}: ${s.sdk.args} in ${s.package}/${s.sdk.file}`,
      );
      assert.deepEqual(
        s.unordered.filter((u) => !names.includes(u)),
        [],
        `${type}: unordered inputs`,
      );
    }
  });

  it("names only sub-paths that exist in the SDK's input types", () => {
    const checked: string[] = [];
    for (const [type, s] of Object.entries(SEMANTICS)) {
      const args = argsInterface(s.package, s.sdk.file, s.sdk.args);
      for (const [input, rule] of Object.entries(s.inputs)) {
        if (!("nested" in rule)) continue;
        const member = args.members.find((m) => m.name!.getText() === input)!;
        const type0 = checker.getTypeAtLocation(member);
        for (const sub of Object.keys(rule.nested.paths)) {
          assert.ok(hasPath(type0, sub.split("."), member), `${type} ${input}.${sub}`);
          checked.push(`${input}.${sub}`);
        }
        assert.equal(hasPath(type0, ["noSuchField"], member), false);
      }
    }
    assert.deepEqual(checked.sort(), [
      "cluster.availability",
      "registry.server",
      "taskSpec.containerSpec.hosts",
      "taskSpec.containerSpec.labels",
      "taskSpec.containerSpec.mounts.volumeOptions.labels",
      "taskSpec.containerSpec.sysctl",
      "taskSpec.networksAdvanceds",
    ]);
  });

  it("covers every resource type engine mode applies (the provider resource aside)", () => {
    assert.deepEqual(
      Object.keys(SEMANTICS).sort(),
      Object.keys(APPLIERS)
        .filter((t) => t !== PROVIDER_TYPE)
        .sort(),
    );
  });

  it("lists the rows not read from source (the snapshots predate them)", () => {
    assert.deepEqual(UNREAD_ROWS, { [CONTAINER]: ["deviceCgroupRules"] });
    assert.equal(operationFor(CONTAINER, ["deviceCgroupRules"]).operation, "replace");
  });

  it("holds these rows for the inputs berth declares (test, dev and swarm stacks)", async () => {
    const runs = [
      await runProgram("test"),
      await runProgram("dev"),
      await runProgram("test", {
        "berth:cluster": "swarm",
        "berth:images": { app: "127.0.0.1:5055/berth/app:1" },
        "berth:workers": { replicas: 3, namespaces: ["default"] },
      }),
    ];
    const used: Record<string, Record<string, string>> = {};
    for (const r of runs.flatMap((run) => run.resources).filter((r) => r.custom && r.type !== PROVIDER_TYPE)) {
      for (const input of Object.keys(r.inputs)) {
        const rule = inputRule(r.type, input);
        const what =
          "nested" in rule ? `nested:${rule.effect}` : rule.op === "replace" ? "replace" : `update:${rule.effect}`;
        (used[r.type] ??= {})[input] = what;
      }
    }
    assert.deepEqual(used, {
      [CONTAINER]: {
        attach: "update:recorded",
        capabilities: "replace",
        command: "replace",
        cpus: "replace",
        destroyGraceSeconds: "update:recorded",
        envs: "replace",
        healthcheck: "update:recorded",
        image: "replace",
        init: "update:recorded",
        labels: "replace",
        logs: "update:recorded",
        maxRetryCount: "update:applied",
        memory: "update:applied",
        memorySwap: "update:applied",
        mustRun: "update:applied",
        name: "replace",
        networkMode: "replace",
        networksAdvanced: "replace",
        ports: "replace",
        readOnly: "replace",
        removeVolumes: "update:recorded",
        restart: "update:applied",
        securityOpts: "replace",
        stopSignal: "replace",
        stopTimeout: "replace",
        tmpfs: "update:recorded",
        user: "replace",
        volumes: "replace",
        wait: "update:recorded",
      },
      [NETWORK]: {
        attachable: "replace",
        driver: "replace",
        internal: "replace",
        ipamConfigs: "replace",
        labels: "replace",
        name: "replace",
      },
      [VOLUME]: { labels: "replace", name: "replace" },
      [REMOTE_IMAGE]: { keepLocally: "update:recorded", name: "replace" },
      [IMAGE]: {
        build: "update:applied",
        buildOnPreview: "update:applied",
        imageName: "update:applied",
        skipPush: "update:applied",
      },
      [SERVICE]: {
        endpointSpec: "update:applied",
        labels: "update:applied",
        mode: "update:applied",
        name: "replace",
        taskSpec: "nested:applied",
        updateConfig: "update:applied",
      },
      [COMMAND]: { create: "update:rerun", environment: "update:rerun", logging: "update:rerun", triggers: "replace" },
      [PASSWORD]: { length: "replace", special: "replace" },
    });
  });

  it("with the options berth registers: its containers replace on a healthcheck change and update memory in place", async () => {
    const run = await runProgram("test");
    const containers = run.resources.filter((r) => r.type === CONTAINER);
    assert.equal(containers.length, 6);
    for (const c of containers) {
      const opts = { replaceOnChanges: c.replaceOnChanges, deleteBeforeReplace: c.deleteBeforeReplace };
      assert.deepEqual(
        operationFor(CONTAINER, ["healthcheck.interval"], opts),
        { operation: "replace", replacedBy: ["healthcheck.interval"], deleteBeforeReplace: true },
        c.name,
      );
      assert.deepEqual(
        operationFor(CONTAINER, ["memory", "memorySwap"], opts),
        { operation: "update", replacedBy: [] },
        c.name,
      );
    }
  });

  it("says the container replaces delete-first (the bridge's setting) and nothing else does", () => {
    assert.deepEqual(
      Object.entries(SEMANTICS)
        .filter(([, s]) => s.deleteBeforeReplace)
        .map(([t]) => t),
      [CONTAINER],
    );
  });
});

describe("operationFor", function () {
  it("is same when nothing changed", () => {
    assert.deepEqual(operationFor(CONTAINER, []), { operation: "same", replacedBy: [] });
  });

  it("updates a container's memory in place", () => {
    assert.deepEqual(operationFor(CONTAINER, ["memory", "memorySwap"]), { operation: "update", replacedBy: [] });
  });

  it("replaces a container when envs change, delete-first, naming what forced it", () => {
    assert.deepEqual(operationFor(CONTAINER, ["memory", "envs", "destroyGraceSeconds", "labels"]), {
      operation: "replace",
      replacedBy: ["envs", "labels"],
      deleteBeforeReplace: true,
    });
  });

  it("updates on a healthcheck change by the provider alone, and replaces with berth's replaceOnChanges", () => {
    assert.deepEqual(operationFor(CONTAINER, ["healthcheck"]), { operation: "update", replacedBy: [] });
    assert.deepEqual(operationFor(CONTAINER, ["healthcheck.interval"], { replaceOnChanges: ["healthcheck"] }), {
      operation: "replace",
      replacedBy: ["healthcheck.interval"],
      deleteBeforeReplace: true,
    });
    assert.deepEqual(operationFor(CONTAINER, ["tmpfs"], { replaceOnChanges: ["healthcheck"] }), {
      operation: "update",
      replacedBy: [],
    });
  });

  it("updates a service's replicas and image, and replaces it when its containers' labels or networks change", () => {
    assert.deepEqual(operationFor(SERVICE, ["mode.replicated.replicas", "taskSpec.containerSpec.image"]), {
      operation: "update",
      replacedBy: [],
    });
    assert.deepEqual(operationFor(SERVICE, ["taskSpec.resources.limits.memoryBytes"]), {
      operation: "update",
      replacedBy: [],
    });
    assert.deepEqual(operationFor(SERVICE, ["taskSpec.containerSpec.mounts[0].tmpfsOptions.sizeBytes"]), {
      operation: "update",
      replacedBy: [],
    });
    assert.deepEqual(operationFor(SERVICE, ["taskSpec.containerSpec.labels[2].value"]), {
      operation: "replace",
      replacedBy: ["taskSpec.containerSpec.labels[2].value"],
      deleteBeforeReplace: false,
    });
    assert.deepEqual(operationFor(SERVICE, ["taskSpec.networksAdvanceds[0].aliases"]).replacedBy, [
      "taskSpec.networksAdvanceds[0].aliases",
    ]);
  });

  it("takes the worst case for a path coarser than the table's sub-paths", () => {
    assert.equal(operationFor(SERVICE, ["taskSpec"]).operation, "replace");
    assert.equal(operationFor(SERVICE, ["taskSpec.containerSpec"]).operation, "replace");
    assert.equal(operationFor(SERVICE, ["taskSpec.containerSpec.mounts"]).operation, "replace");
    assert.equal(operationFor(SERVICE, ["taskSpec.restartPolicy"]).operation, "update");
    assert.equal(operationFor(VOLUME, ["cluster"]).operation, "replace");
    assert.equal(operationFor(VOLUME, ["cluster.availability"]).operation, "update");
    assert.equal(operationFor(VOLUME, ["cluster.scope"]).operation, "replace");
  });

  it("sees no change when only an image's registry credentials change", () => {
    assert.deepEqual(operationFor(IMAGE, ["registry.password", "registry.username"]), {
      operation: "same",
      replacedBy: [],
    });
    assert.deepEqual(operationFor(IMAGE, ["registry.server"]), { operation: "update", replacedBy: [] });
    assert.deepEqual(operationFor(IMAGE, ["registry"]), { operation: "update", replacedBy: [] });
    // replaceOnChanges acts on the provider's reported changes only.
    assert.deepEqual(operationFor(IMAGE, ["registry.password"], { replaceOnChanges: ["registry"] }), {
      operation: "same",
      replacedBy: [],
    });
  });

  it("updates (reruns) a command on a create change and replaces it on a triggers change", () => {
    assert.deepEqual(operationFor(COMMAND, ["create", "environment"]), { operation: "update", replacedBy: [] });
    assert.deepEqual(operationFor(COMMAND, ["triggers[1]"], { replaceOnChanges: ["triggers[*]"] }), {
      operation: "replace",
      replacedBy: ["triggers[1]"],
      deleteBeforeReplace: false,
    });
    assert.deepEqual(operationFor(COMMAND, ["triggers"]).replacedBy, ["triggers"]);
  });

  it("replaces a password on any argument change, delete-first only when the options say so", () => {
    assert.deepEqual(operationFor(PASSWORD, ["length"]), {
      operation: "replace",
      replacedBy: ["length"],
      deleteBeforeReplace: false,
    });
    assert.deepEqual(operationFor(PASSWORD, ["special"], { deleteBeforeReplace: true }), {
      operation: "replace",
      replacedBy: ["special"],
      deleteBeforeReplace: true,
    });
  });

  it("fails when the resource type has no table", () => {
    assert.throws(() => operationFor("docker:index/plugin:Plugin", ["name"]), {
      message:
        "no provider semantics for resource type docker:index/plugin:Plugin: add it to testing/engine/provider-semantics.ts from the provider's source",
    });
  });

  it("fails when an input has no row", () => {
    assert.throws(() => operationFor(CONTAINER, ["memoryMb"]), {
      message:
        'docker:index/container:Container has no input "memoryMb" in the provider semantics table (@pulumi/docker 5.2.0): re-read the provider\'s source',
    });
  });
});

describe("replaceOnChangesMatches", function () {
  it("matches a path at or under the pattern, '*' matching any segment, as Pulumi's engine does", () => {
    assert.equal(replaceOnChangesMatches("healthcheck", "healthcheck"), true);
    assert.equal(replaceOnChangesMatches("healthcheck", "healthcheck.tests[0]"), true);
    assert.equal(replaceOnChangesMatches("triggers[*]", "triggers[3]"), true);
    assert.equal(replaceOnChangesMatches("triggers[*]", "triggers"), false);
    assert.equal(replaceOnChangesMatches("healthcheck", "healthcheckTimeout"), false);
    assert.equal(replaceOnChangesMatches("*", "envs"), true);
  });
});
