// stackOutputs: the outputs a team's program exports for the test kit, built from its components
// under the mock runtime, keyed as its tests name the services.
import { strict as assert } from "node:assert";
import { HealthGate, Network, Postgres, Redis, stackOutputs, WorkerPool } from "../../components";
import { pickedPort, recordProgram } from "../../testing/recorder";

describe("stackOutputs", function () {
  this.timeout(20_000);

  it("exports hostUrls (secret), containerNames (a pool's as a list) and gateResults, keyed as given", async function () {
    const run = await recordProgram(
      () => {
        const net = new Network("net");
        const appDb = new Postgres("app-db", { networkName: net.name, password: "pw" });
        const cache = new Redis("cache", { networkName: net.name, password: "pw" });
        const workers = new WorkerPool("workers", {
          networkName: net.name,
          image: "team/worker:1",
          replicas: 2,
          databaseUrl: appDb.url,
          redisUrl: cache.url,
        });
        const data = new HealthGate("data-gate", { watch: [appDb, cache] });
        const { hostUrls, containerNames, gateResults } = stackOutputs({
          services: { appDb, cache, workers },
          gates: { data },
        });
        return { hostUrls, containerNames, gateResults };
      },
      { project: "shop", stack: "ci" },
    );
    assert.deepEqual(run.outputs, {
      hostUrls: {
        appDb: `postgres://berth:pw@127.0.0.1:${pickedPort("shop-ci-app-db")}/berth`,
        cache: `redis://:pw@127.0.0.1:${pickedPort("shop-ci-cache")}`,
      },
      containerNames: {
        appDb: "shop-ci-app-db",
        cache: "shop-ci-cache",
        workers: ["shop-ci-workers-0", "shop-ci-workers-1"],
      },
      gateResults: { data: undefined },
    });
    assert.deepEqual(run.secretOutputs, ["hostUrls"]);
  });

  it("fails when given no service, saying how to key them", async function () {
    assert.throws(() => stackOutputs({ services: {} }), {
      message:
        "stackOutputs: services is empty; give each service component under the key test code will use (e.g. { appDb, cache })",
    });
  });
});
