// The gate's Engine API transport: which DOCKER_HOSTs Node's own http serves (gate/engine-client.ts),
// the query strings and errors it makes as docker-modem does, and its requests against a stand-in
// engine. The real engine, the ssh:// and unreachable cases: tests/integration/gate*.test.ts.
import { strict as assert } from "node:assert";
import { createServer, IncomingMessage, Server } from "node:http";
import { AddressInfo } from "node:net";
import { createEngineClient, engineQuery, engineStatusError, plainEndpoint } from "../../gate/engine-client";

const SOCKET = () => "/var/run/docker.sock";

describe("gate: the Engine API endpoint Node's http serves (plainEndpoint)", () => {
  it("the default socket without DOCKER_HOST, and a unix:// path as given", () => {
    assert.deepEqual(plainEndpoint({}, SOCKET), { socketPath: "/var/run/docker.sock" });
    assert.deepEqual(plainEndpoint({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" }, SOCKET), {
      socketPath: "/run/user/1000/docker.sock",
    });
    assert.deepEqual(plainEndpoint({ DOCKER_HOST: "unix://" }, SOCKET), { socketPath: "/var/run/docker.sock" });
  });

  it("a plain tcp:// host and port, with or without the scheme, IPv6 unbracketed", () => {
    assert.deepEqual(plainEndpoint({ DOCKER_HOST: "tcp://10.0.0.5:2375" }, SOCKET), { host: "10.0.0.5", port: 2375 });
    assert.deepEqual(plainEndpoint({ DOCKER_HOST: "manager-1:2375" }, SOCKET), { host: "manager-1", port: 2375 });
    assert.deepEqual(plainEndpoint({ DOCKER_HOST: "tcp://[::1]:2375" }, SOCKET), { host: "::1", port: 2375 });
  });

  it("leaves to docker-modem what needs it: ssh, TLS, a host without port, a path prefix or client timeout, a malformed host", () => {
    for (const env of [
      { DOCKER_HOST: "ssh://ci@build-7" },
      { DOCKER_HOST: "tcp://10.0.0.5:2376" },
      { DOCKER_HOST: "tcp://10.0.0.5:2375", DOCKER_TLS_VERIFY: "1" },
      { DOCKER_HOST: "tcp://10.0.0.5:2375", DOCKER_CERT_PATH: "/certs" },
      { DOCKER_HOST: "tcp://10.0.0.5" },
      { DOCKER_HOST: "tcp://10.0.0.5:2375", DOCKER_PATH_PREFIX: "/docker" },
      { DOCKER_HOST: "tcp://10.0.0.5:2375", DOCKER_CLIENT_TIMEOUT: "5000" },
      { DOCKER_HOST: "npipe:////./pipe/docker_engine" },
      { DOCKER_HOST: "tcp://bad host:1" },
    ]) {
      assert.equal(plainEndpoint(env, SOCKET), undefined, JSON.stringify(env));
    }
  });
});

describe("gate: Engine API requests as docker-modem makes them", () => {
  it("puts objects (filters) in the query string as JSON, the rest as text", () => {
    assert.equal(engineQuery({}), "");
    assert.equal(
      engineQuery({ filters: { type: ["container"], container: ["a b"] } }),
      `?filters=${encodeURIComponent('{"type":["container"],"container":["a b"]}').replace(/%20/g, "+")}`,
    );
    assert.equal(
      engineQuery({ stdout: true, stderr: true, follow: false, tail: 50 }),
      "?stdout=true&stderr=true&follow=false&tail=50",
    );
  });

  it("names the status, what it means to the request and the engine's message", () => {
    const codes = { 200: true as const, 404: "no such container", 500: "server error" };
    const notFound = engineStatusError(404, codes, '{"message":"No such container: web"}');
    assert.deepEqual(
      [notFound.message, notFound.statusCode, notFound.reason, notFound.json],
      [
        "(HTTP code 404) no such container - No such container: web ",
        404,
        "no such container",
        { message: "No such container: web" },
      ],
    );
    const odd = engineStatusError(502, codes, "bad gateway");
    assert.deepEqual(
      [odd.message, odd.statusCode, odd.reason, odd.json],
      ["(HTTP code 502) unexpected - bad gateway ", 502, undefined, "bad gateway"],
    );
  });
});

describe("gate: the Engine API client over Node's http, against a stand-in engine", () => {
  let server: Server;
  let seen: { method?: string; url?: string; type?: string; body: string }[];
  let answer: (req: IncomingMessage) => { status: number; body: string };
  let env: NodeJS.ProcessEnv;

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, type: req.headers["content-type"], body });
        const a = answer(req);
        res.writeHead(a.status, { "content-type": "application/json" }).end(a.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    env = { DOCKER_HOST: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}` };
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (seen = []));

  it("inspects a container and parses the answer", async () => {
    answer = () => ({ status: 200, body: '{"Id":"abc","State":{"Status":"running"}}' });
    const info = await createEngineClient(env).inspect("berth-test/x");
    assert.deepEqual(info, { Id: "abc", State: { Status: "running" } });
    assert.deepEqual(seen, [{ method: "GET", url: "/containers/berth-test%2Fx/json", type: undefined, body: "" }]);
  });

  it("posts an update as JSON and takes an empty 200", async () => {
    answer = () => ({ status: 200, body: "" });
    assert.equal(await createEngineClient(env).update("web", { PidsLimit: 64 }), undefined);
    assert.deepEqual(seen, [
      { method: "POST", url: "/containers/web/update", type: "application/json", body: '{"PidsLimit":64}' },
    ]);
  });

  it("rejects with the engine's status for an unexpected answer", async () => {
    answer = () => ({ status: 404, body: '{"message":"No such container: web"}' });
    await assert.rejects(createEngineClient(env).inspect("web"), {
      message: "(HTTP code 404) no such container - No such container: web ",
      statusCode: 404,
    });
  });

  it("gives an events stream as soon as the engine answers, and closes the request on abort", async () => {
    let closed!: () => void;
    const requestClosed = new Promise<void>((resolve) => (closed = resolve));
    let url: string | undefined;
    // A stand-in that sends one event and keeps the stream open, as the engine does.
    const events = createServer((req, res) => {
      url = req.url;
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"status":"start"}\n');
      req.socket.on("close", () => closed());
    });
    await new Promise<void>((resolve) => events.listen(0, "127.0.0.1", resolve));
    try {
      const controller = new AbortController();
      const stream = await createEngineClient({
        DOCKER_HOST: `tcp://127.0.0.1:${(events.address() as AddressInfo).port}`,
      }).events({ type: ["container"] }, controller.signal);
      const first = await new Promise<string>((resolve) =>
        stream.once("data", (c: Buffer) => resolve(c.toString("utf8"))),
      );
      stream.on("error", () => undefined); // the abort ends it with an AbortError
      controller.abort();
      await requestClosed;
      assert.deepEqual(
        [url, first],
        [`/events?filters=${encodeURIComponent('{"type":["container"]}')}`, '{"status":"start"}\n'],
      );
    } finally {
      events.closeAllConnections();
      await new Promise<void>((resolve) => events.close(() => resolve()));
    }
  });

  it("rejects without a status when nothing listens (the engine was never reached)", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(
      createEngineClient({ DOCKER_HOST: `tcp://127.0.0.1:${port}` }).inspect("web"),
      (err: { code?: string; statusCode?: number }) => {
        assert.deepEqual([err.code, err.statusCode], ["ECONNREFUSED", undefined]);
        return true;
      },
    );
  });
});
