// Pure pieces of the offline plan: names, redaction, value formatting, the tree and the graph.
import { strict as assert } from "node:assert";
import type { RecordedResource } from "../../testing/recorder";
import {
  containerLines,
  field,
  genericLines,
  inline,
  redact,
  shortType,
  stableJson,
  visibleInputs,
} from "../../scripts/plan-format";
import { mermaidLines, reduceEdges, treeOrder } from "../../scripts/plan-graph";
import { describePlan } from "../../scripts/plan-describe";

/** A recorded resource with only what a case needs. */
function res(type: string, name: string, extra: Partial<RecordedResource> = {}): RecordedResource {
  return {
    urn: `urn:${type}::${name}`,
    type,
    name,
    custom: !type.startsWith("berth:"),
    parent: "",
    inputs: {},
    secretInputs: [],
    dependencies: [],
    replaceOnChanges: [],
    deleteBeforeReplace: false,
    provider: "",
    ...extra,
  };
}

describe("plan format: pure helpers", function () {
  it("shortens type tokens, keeping a module other than index", function () {
    const table: [string, string][] = [
      ["docker:index/container:Container", "docker:Container"],
      ["berth:index:Postgres", "berth:Postgres"],
      ["command:local:Command", "command:local:Command"],
      ["random:index/randomPassword:RandomPassword", "random:RandomPassword"],
      ["pulumi:pulumi:Stack", "pulumi:pulumi:Stack"],
    ];
    for (const [type, expected] of table) assert.equal(shortType(type), expected, type);
  });

  it("redacts a secret: env entries keep their names, anything else is ***", function () {
    const table: [unknown, unknown][] = [
      [
        ["A=1", "DATABASE_URL=postgres://u:pw@h/db", "EMPTY="],
        ["A=***", "DATABASE_URL=***", "EMPTY=***"],
      ],
      ["hunter2", "***"],
      [["not an env entry"], "***"],
      [{ password: "pw" }, "***"],
      [42, "***"],
    ];
    for (const [value, expected] of table) assert.deepEqual(redact(value), expected);
  });

  it("redacts exactly the inputs listed as secret", function () {
    const r = res("docker:index/container:Container", "c", {
      inputs: { envs: ["P=pw"], image: "img", command: ["x"] },
      secretInputs: ["envs", "command"],
    });
    assert.deepEqual(visibleInputs(r), { envs: ["P=***"], image: "img", command: "***" });
  });

  it("prints values on one line, objects as JSON with sorted keys", function () {
    const table: [unknown, string][] = [
      ["text", "text"],
      ["", '""'],
      [undefined, "(unset)"],
      [false, "false"],
      [[], "[]"],
      [["a", 1, true], "a, 1, true"],
      [{ b: 1, a: { d: 2, c: [1] } }, '{"a":{"c":[1],"d":2},"b":1}'],
    ];
    for (const [value, expected] of table) assert.equal(inline(value), expected);
    assert.equal(stableJson([{ z: 1, y: 2 }]), '[{"y":2,"z":1}]');
  });

  it("aligns fields and continues several values under the first", function () {
    assert.deepEqual(field("tmpfs", ["/a x", "/b y"]), ["tmpfs          /a x", "               /b y"]);
    assert.deepEqual(field("volumes", []), ["volumes        none"]);
    assert.deepEqual(field("a-very-long-key-name", "v"), ["a-very-long-key-name v"]);
  });

  it("lists every input of a generic resource, labels one per line", function () {
    assert.deepEqual(
      genericLines({
        name: "n",
        labels: [
          { label: "b", value: "2" },
          { label: "a", value: "1" },
        ],
        driver: "bridge",
      }),
      ["driver         bridge", "labels         a=1", "               b=2", "name           n"],
    );
  });

  it("reads a container's key inputs in a fixed order and lists the rest under other", function () {
    const inputs = {
      name: "p-s-db",
      image: "img:1",
      user: "70:70",
      memory: 512,
      memorySwap: 512,
      cpus: "1",
      readOnly: true,
      capabilities: { drops: ["ALL"], adds: [] },
      securityOpts: ["no-new-privileges:true"],
      restart: "on-failure",
      maxRetryCount: 3,
      healthcheck: {
        tests: ["CMD", "pg_isready", "-h", "127.0.0.1"],
        interval: "200ms",
        timeout: "2s",
        startPeriod: "20s",
        retries: 3,
      },
      tmpfs: { "/tmp": "rw,size=64m", "/data": "rw" },
      volumes: [{ volumeName: "v", containerPath: "/d" }],
      ports: [
        { internal: 5432, ip: "127.0.0.1", protocol: "tcp" },
        { internal: 80, external: 8080 },
      ],
      networksAdvanced: [{ name: "net", aliases: ["db"] }],
      labels: [
        { label: "z", value: "1" },
        { label: "a", value: "2" },
      ],
      command: ["postgres", "-c", "listen_addresses=*", ""],
      envs: ["A=***"],
      wait: false,
      init: false,
    };
    assert.deepEqual(containerLines(inputs, ["envs"]), [
      "name           p-s-db",
      "image          img:1",
      "user           70:70",
      "memory         512 MB (memory+swap 512 MB)",
      "cpus           1",
      "readOnly       true",
      "caps           drop ALL; add none",
      "securityOpts   no-new-privileges:true",
      "restart        on-failure, at most 3 retries",
      "healthcheck    CMD pg_isready -h 127.0.0.1 | every 200ms, timeout 2s, start period 20s, retries 3",
      "tmpfs          /data rw",
      "               /tmp rw,size=64m",
      "volumes        v -> /d",
      "ports          127.0.0.1:(engine picks) -> 5432/tcp",
      "               0.0.0.0:8080 -> 80/tcp",
      "networks       net (aliases: db)",
      "labels         a=2",
      "               z=1",
      "command        postgres -c 'listen_addresses=*' ''",
      "env (secret)   A=***",
      "other          init=false wait=false",
    ]);
  });

  it("shows a container in another's network namespace by its network mode, not under other", function () {
    const lines = containerLines({ name: "w", image: "i", networkMode: "container:net-id", init: false }, []);
    assert.deepEqual(
      lines.filter((l) => /^(networks|other) /.test(l)),
      ["networks       network mode container:net-id", "other          init=false"],
    );
  });

  it("shows a container input redacted whole as *** instead of taking it apart", function () {
    const lines = containerLines({ healthcheck: "***", tmpfs: "***" }, ["healthcheck", "tmpfs"]);
    assert.equal(
      lines.find((l) => l.startsWith("healthcheck")),
      "healthcheck (secret) ***",
    );
    assert.equal(
      lines.find((l) => l.startsWith("tmpfs")),
      "tmpfs (secret) ***",
    );
  });
});

describe("plan graph: tree and Mermaid", function () {
  const env = res("berth:index:Environment", "e");
  const pg = res("berth:index:Postgres", "e-pg", { parent: env.urn });
  const net = res("docker:index/network:Network", "e-net", { parent: env.urn });
  const db = res("docker:index/container:Container", "e-pg", { parent: pg.urn, dependencies: [net.urn] });
  const step = res("command:local:Command", "e-pg-step", { parent: pg.urn, dependencies: [db.urn, net.urn] });
  const all = [step, db, net, pg, env];

  it("orders parents before children, siblings by name then type", function () {
    assert.deepEqual(
      treeOrder(all).map(({ resource, depth }) => `${depth} ${shortType(resource.type)} ${resource.name}`),
      [
        "0 berth:Environment e",
        "1 docker:Network e-net",
        "1 berth:Postgres e-pg",
        "2 docker:Container e-pg",
        "2 command:local:Command e-pg-step",
      ],
    );
  });

  it("drops the edges a longer path implies", function () {
    const deps = new Map([
      ["c", ["a", "b"]],
      ["b", ["a"]],
      ["a", []],
      ["d", ["c", "a", "b"]],
    ]);
    assert.deepEqual(
      [...reduceEdges(deps)],
      [
        ["c", ["b"]],
        ["b", ["a"]],
        ["a", []],
        ["d", ["c"]],
      ],
    );
  });

  it("draws components as nested subgraphs and the reduced edges, sorted", function () {
    assert.deepEqual(mermaidLines(all), [
      "flowchart TD",
      '  subgraph berth_Environment_e["berth:Environment e"]',
      '    docker_Network_e_net["e-net<br/>docker:Network"]',
      '    subgraph berth_Postgres_e_pg["berth:Postgres e-pg"]',
      '      docker_Container_e_pg["e-pg<br/>docker:Container"]',
      '      command_local_Command_e_pg_step["e-pg-step<br/>command:local:Command"]',
      "    end",
      "  end",
      "  docker_Container_e_pg --> command_local_Command_e_pg_step",
      "  docker_Network_e_net --> docker_Container_e_pg",
    ]);
  });

  it("fails when the plan would hold a machine-specific path", function () {
    const run = {
      resources: [res("docker:index/image:Image", "img", { inputs: { context: "/home/me/berth/services" } })],
      exports: {},
      outputs: {},
      secretOutputs: [],
    };
    assert.throws(() => describePlan("test", run, ["/home/me/berth"]), {
      message:
        'the plan of stack test holds "/home/me/berth" (a machine-specific path): inputs must not depend on the checkout',
    });
  });
});
