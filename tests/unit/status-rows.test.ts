// `npm run status`: inspect data → rows (pure tables), and the command against a fake engine.
import { strict as assert } from "node:assert";
import type Docker from "dockerode";
import {
  containerState,
  DeclaredContainer,
  downRows,
  formatDuration,
  Inspected,
  publishedPorts,
  statusRows,
  statusTable,
} from "../../testing/client/health-report";
import { declaredContainers } from "../../testing/client/endpoints";
import { statusCommand, StatusDeps } from "../../scripts/status-cli";

const NOW = new Date("2030-01-02T03:04:05Z");
const RUNNING = { Status: "running", Running: true, Paused: false, Restarting: false, OOMKilled: false, ExitCode: 0 };

/** An inspect result with only the fields status reads. */
function inspected(
  name: string,
  service: string,
  state: object,
  ports: object = {},
  startedAt = "2030-01-02T02:59:00Z",
): Inspected {
  return {
    Name: `/${name}`,
    State: { ...RUNNING, StartedAt: startedAt, ...state },
    Config: { Labels: { "berth.project": "berth", "berth.stack": "s", "berth.service": service } },
    NetworkSettings: { Ports: ports },
  } as unknown as Inspected;
}

describe("status rows: inspect data → state, uptime, ports", function () {
  it("maps the engine's state and health to one of the states", function () {
    const table: [object, { state: string; detail: string | null }][] = [
      [{ Health: { Status: "healthy" } }, { state: "HEALTHY", detail: null }],
      [{ Health: { Status: "unhealthy" } }, { state: "UNHEALTHY", detail: null }],
      [{ Health: { Status: "starting" } }, { state: "STARTING", detail: null }],
      [{}, { state: "RUNNING", detail: "no healthcheck" }],
      [
        { Restarting: true, Health: { Status: "unhealthy" } },
        { state: "STARTING", detail: "restarting" },
      ],
      [
        { Paused: true, Status: "paused", Health: { Status: "healthy" } },
        { state: "STOPPED", detail: "paused" },
      ],
      [
        { Running: false, Status: "exited", ExitCode: 3, Health: { Status: "unhealthy" } },
        { state: "STOPPED", detail: "exited with code 3" },
      ],
      [
        { Running: false, Status: "exited", ExitCode: 137, OOMKilled: true },
        { state: "STOPPED", detail: "OOM-killed" },
      ],
      [
        { Running: false, Status: "created" },
        { state: "STOPPED", detail: "created, never started" },
      ],
    ];
    for (const [state, expected] of table)
      assert.deepEqual(containerState({ ...RUNNING, ...state } as Inspected["State"]), expected, JSON.stringify(state));
  });

  it("formats uptime with at most two units", function () {
    const table: [number, string][] = [
      [0, "0s"],
      [59, "59s"],
      [60, "1m 00s"],
      [185, "3m 05s"],
      [3600, "1h 00m"],
      [7380, "2h 03m"],
      [86_400, "1d 00h"],
      [370_800, "4d 07h"],
      [-5, "0s"],
    ];
    for (const [seconds, expected] of table) assert.equal(formatDuration(seconds), expected, String(seconds));
  });

  it("lists published ports by container port, IPv6 in brackets, unpublished ones left out", function () {
    assert.deepEqual(
      publishedPorts({
        "8080/tcp": [
          { HostIp: "0.0.0.0", HostPort: "32770" },
          { HostIp: "::", HostPort: "32770" },
        ],
        "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: "15432" }],
        "9000/udp": [{ HostIp: "", HostPort: "9000" }],
        "8081/tcp": null,
      }),
      ["127.0.0.1:15432->5432/tcp", "0.0.0.0:32770->8080/tcp", "[::]:32770->8080/tcp", "0.0.0.0:9000->9000/udp"],
    );
    assert.deepEqual(publishedPorts(undefined), []);
  });

  it("gives one row per container: tiers in start order, replicas numerically, stopped ones without uptime or ports", function () {
    const rows = statusRows(
      [
        inspected("b-s-worker-10", "workers", { Health: { Status: "healthy" } }),
        inspected("b-s-worker-2", "workers", { Health: { Status: "starting" } }, {}, "2030-01-02T03:04:00Z"),
        inspected(
          "b-s-redis",
          "redis",
          { Running: false, Status: "exited", ExitCode: 1 },
          { "6379/tcp": [{ HostIp: "127.0.0.1", HostPort: "1" }] },
        ),
        inspected(
          "b-s-postgres",
          "postgres",
          { Health: { Status: "healthy" } },
          { "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: "32768" }] },
        ),
      ],
      NOW,
    );
    assert.deepEqual(rows, [
      {
        service: "postgres",
        container: "b-s-postgres",
        state: "HEALTHY",
        detail: null,
        exitCode: null,
        uptimeSeconds: 305,
        uptime: "5m 05s",
        ports: ["127.0.0.1:32768->5432/tcp"],
      },
      {
        service: "redis",
        container: "b-s-redis",
        state: "STOPPED",
        detail: "exited with code 1",
        exitCode: 1,
        uptimeSeconds: null,
        uptime: "-",
        ports: [],
      },
      {
        service: "workers",
        container: "b-s-worker-2",
        state: "STARTING",
        detail: null,
        exitCode: null,
        uptimeSeconds: 5,
        uptime: "5s",
        ports: [],
      },
      {
        service: "workers",
        container: "b-s-worker-10",
        state: "HEALTHY",
        detail: null,
        exitCode: null,
        uptimeSeconds: 305,
        uptime: "5m 05s",
        ports: [],
      },
    ]);
  });

  it("gives a declared container the engine lacks a MISSING row, its service the output key; down rows are missing, stopped or unhealthy", function () {
    const declared: DeclaredContainer[] = [
      { service: "postgres", container: "b-s-postgres" },
      { service: "workers", container: "b-s-worker-0" },
      { service: "workers", container: "b-s-worker-1" },
      { service: "analyticsDb", container: "b-s-analytics-db" },
    ];
    const rows = statusRows(
      [
        inspected("b-s-postgres", "postgres", { Health: { Status: "unhealthy" } }),
        inspected("b-s-worker-0", "workers", { Running: false, Status: "exited", ExitCode: 137 }),
        inspected("b-s-worker-net", "workers-network", { Health: { Status: "starting" } }, {}, "2030-01-02T03:04:00Z"),
      ],
      NOW,
      declared,
    );
    assert.deepEqual(rows, [
      {
        service: "postgres",
        container: "b-s-postgres",
        state: "UNHEALTHY",
        detail: null,
        exitCode: null,
        uptimeSeconds: 305,
        uptime: "5m 05s",
        ports: [],
      },
      {
        service: "workers",
        container: "b-s-worker-0",
        state: "STOPPED",
        detail: "exited with code 137",
        exitCode: 137,
        uptimeSeconds: null,
        uptime: "-",
        ports: [],
      },
      {
        service: "workers",
        container: "b-s-worker-1",
        state: "MISSING",
        detail: "declared, not on the engine",
        exitCode: null,
        uptimeSeconds: null,
        uptime: "-",
        ports: [],
      },
      {
        service: "analyticsDb",
        container: "b-s-analytics-db",
        state: "MISSING",
        detail: "declared, not on the engine",
        exitCode: null,
        uptimeSeconds: null,
        uptime: "-",
        ports: [],
      },
      {
        service: "workers-network",
        container: "b-s-worker-net",
        state: "STARTING",
        detail: null,
        exitCode: null,
        uptimeSeconds: 5,
        uptime: "5s",
        ports: [],
      },
    ]);
    assert.deepEqual(
      downRows(rows).map((r) => r.container),
      ["b-s-postgres", "b-s-worker-0", "b-s-worker-1", "b-s-analytics-db"],
    );
  });

  it("reads the declared containers from the containerNames output: a name, or a list for a pool", function () {
    const outputs = {
      containerNames: { postgres: "b-s-postgres", workers: ["b-s-worker-0", "b-s-worker-1"], none: [], odd: 3 },
      hostUrls: {},
    };
    assert.deepEqual(declaredContainers(outputs), [
      { service: "postgres", container: "b-s-postgres" },
      { service: "workers", container: "b-s-worker-0" },
      { service: "workers", container: "b-s-worker-1" },
    ]);
    assert.deepEqual([declaredContainers({}), declaredContainers(undefined)], [[], []]);
  });

  it("prints a plain table without colours", function () {
    const rows = statusRows(
      [
        inspected(
          "b-s-postgres",
          "postgres",
          { Health: { Status: "healthy" } },
          { "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: "32768" }] },
        ),
        inspected("b-s-redis", "redis", { Running: false, Status: "exited", ExitCode: 1 }),
      ],
      NOW,
    );
    assert.equal(
      statusTable(rows),
      [
        "┌──────────┬──────────────┬──────────────────────────────┬────────┬───────────────────────────┐",
        "│ SERVICE  │ CONTAINER    │ STATE                        │ UPTIME │ PORTS                     │",
        "├──────────┼──────────────┼──────────────────────────────┼────────┼───────────────────────────┤",
        "│ postgres │ b-s-postgres │ HEALTHY                      │ 5m 05s │ 127.0.0.1:32768->5432/tcp │",
        "├──────────┼──────────────┼──────────────────────────────┼────────┼───────────────────────────┤",
        "│ redis    │ b-s-redis    │ STOPPED (exited with code 1) │ -      │ -                         │",
        "└──────────┴──────────────┴──────────────────────────────┴────────┴───────────────────────────┘",
      ].join("\n"),
    );
  });
});

describe("status command against a fake engine", function () {
  /** A dockerode stand-in: `ping` as given, `infos` labelled (listed), `unlabelled` found by name only; inspect by id or name. */
  function fakeDocker(opts: {
    ping?: () => Promise<unknown>;
    infos?: Inspected[];
    unlabelled?: Inspected[];
  }): () => Docker {
    const infos = opts.infos ?? [];
    const all = [...infos, ...(opts.unlabelled ?? [])];
    const noSuch = Object.assign(new Error("(HTTP code 404) no such container"), { statusCode: 404 });
    const docker = {
      modem: { socketPath: "/var/run/docker.sock" },
      ping: opts.ping ?? (async () => "OK"),
      listContainers: async () => infos.map((_, i) => ({ Id: String(i) })),
      getContainer: (ref: string) => ({
        inspect: async () => all[Number(ref)] ?? all.find((i) => i.Name === `/${ref}`) ?? Promise.reject(noSuch),
      }),
    };
    return () => docker as unknown as Docker;
  }
  const none = async (): Promise<DeclaredContainer[]> => [];
  async function run(
    args: string[],
    docker: () => Docker,
    env: NodeJS.ProcessEnv = {},
    declared: StatusDeps["declared"] = none,
  ) {
    let out = "";
    let err = "";
    const code = await statusCommand(
      args,
      { out: (t) => void (out += t), err: (t) => void (err += t) },
      { docker, env, now: () => NOW, declared },
    );
    return { code, out, err };
  }

  it("fails with exit 2 and says where it looked when the engine is unreachable", async function () {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const r = await run(["--stack", "s"], fakeDocker({ ping: () => Promise.reject(refused) }), {
      DOCKER_HOST: "tcp://10.0.0.9:2375",
    });
    assert.deepEqual(r, {
      code: 2,
      out: "",
      err: "cannot reach the Docker engine at tcp://10.0.0.9:2375 (connection refused). Start dockerd or set DOCKER_HOST.\n",
    });
  });

  it("fails with exit 1 when no container carries the stack's labels (JSON: an empty list)", async function () {
    const r = await run(["--stack", "s", "--json"], fakeDocker({}));
    assert.deepEqual(r, {
      code: 1,
      out: "[]\n",
      err: "no container carries berth.project=berth and berth.stack=s on unix:///var/run/docker.sock: is the stack up? (npx pulumi up --stack s)\n",
    });
  });

  it("prints the rows as JSON with --json; an unhealthy container is not up (exit 1)", async function () {
    const r = await run(
      ["--stack", "s", "--json"],
      fakeDocker({ infos: [inspected("b-s-redis", "redis", { Health: { Status: "unhealthy" } })] }),
    );
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.out), [
      {
        service: "redis",
        container: "b-s-redis",
        state: "UNHEALTHY",
        detail: null,
        exitCode: null,
        uptimeSeconds: 305,
        uptime: "5m 05s",
        ports: [],
      },
    ]);
    assert.equal(
      r.err,
      "1 of 1 containers of stack s are not up: b-s-redis (UNHEALTHY). Bring the stack up again (npx pulumi up --stack s)\n",
    );
  });

  it("prints a heading naming stack, project and engine above the table", async function () {
    const r = await run(
      ["--stack", "s", "--project", "b"],
      fakeDocker({ infos: [inspected("b-s-redis", "redis", { Health: { Status: "healthy" } })] }),
    );
    assert.equal(r.code, 0);
    assert.equal(r.out.split("\n")[0], "stack s (project b) on unix:///var/run/docker.sock");
    assert.match(r.out, /│ redis {3}│ b-s-redis │ HEALTHY │ 5m 05s │ - {5}│/);
  });
  it("lists a declared container the engine lacks as MISSING and exits 1, naming every container not up", async function () {
    const declared = async (ref: { project: string; stack: string }, programDir: string) => {
      assert.deepEqual({ ref, programDir }, { ref: { project: "berth", stack: "s" }, programDir: "/prog" });
      return [
        { service: "postgres", container: "b-s-postgres" },
        { service: "workers", container: "b-s-worker-0" },
        { service: "workers", container: "b-s-worker-1" },
      ];
    };
    const docker = fakeDocker({
      infos: [inspected("b-s-postgres", "postgres", { Health: { Status: "healthy" } })],
      // Declared, present, but without the stack's labels: found by its name.
      unlabelled: [inspected("b-s-worker-0", "workers", { Running: false, Status: "exited", ExitCode: 0 })],
    });
    const r = await run(["--stack", "s", "--program-dir", "/prog", "--json"], docker, {}, declared);
    assert.equal(r.code, 1);
    assert.deepEqual(
      (JSON.parse(r.out) as { container: string; state: string }[]).map((row) => [row.container, row.state]),
      [
        ["b-s-postgres", "HEALTHY"],
        ["b-s-worker-0", "STOPPED"],
        ["b-s-worker-1", "MISSING"],
      ],
    );
    assert.equal(
      r.err,
      "2 of 3 containers of stack s are not up: b-s-worker-0 (STOPPED: exited with code 0), b-s-worker-1 (MISSING: declared, not on the engine). Bring the stack up again (npx pulumi up --stack s)\n",
    );
  });

  it("exits 0 when every declared container runs, STARTING ones included", async function () {
    const declared = async () => [
      { service: "postgres", container: "b-s-postgres" },
      { service: "redis", container: "b-s-redis" },
    ];
    const docker = fakeDocker({
      infos: [
        inspected("b-s-postgres", "postgres", { Health: { Status: "healthy" } }),
        inspected("b-s-redis", "redis", { Health: { Status: "starting" } }),
      ],
    });
    const r = await run(["--stack", "s"], docker, {}, declared);
    assert.deepEqual({ code: r.code, err: r.err }, { code: 0, err: "" });
  });

  it("exits 1 when every declared container is gone, listing each as MISSING", async function () {
    const declared = async () => [{ service: "postgres", container: "b-s-postgres" }];
    const r = await run(["--stack", "s", "--json"], fakeDocker({}), {}, declared);
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.out), [
      {
        service: "postgres",
        container: "b-s-postgres",
        state: "MISSING",
        detail: "declared, not on the engine",
        exitCode: null,
        uptimeSeconds: null,
        uptime: "-",
        ports: [],
      },
    ]);
  });

  it("says so when the outputs cannot be read, and shows what the labels find", async function () {
    const unreadable = async (): Promise<DeclaredContainer[]> =>
      Promise.reject(new Error("no outputs of stack berth/s: nothing recorded"));
    const r = await run(
      ["--stack", "s", "--json"],
      fakeDocker({ infos: [inspected("b-s-redis", "redis", { Health: { Status: "healthy" } })] }),
      {},
      unreadable,
    );
    assert.deepEqual(
      { code: r.code, rows: (JSON.parse(r.out) as unknown[]).length, err: r.err },
      {
        code: 0,
        rows: 1,
        err: "declared containers unknown, so a missing one cannot be shown: no outputs of stack berth/s: nothing recorded\n",
      },
    );
  });
});
