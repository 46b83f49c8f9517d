// A team's own integration-test environment built from berth's components, without berth's
// Environment: two databases (the app's and the analytics one), a cache, and the team's own app
// container, each tier behind a gate.
//
//   network → app-db ∥ analytics-db ∥ cache → data gate → api → api gate (its HTTP health)
//
// `dependsOn` only orders creation; each HealthGate waits until its tier is ready and fails fast
// with the failing container's logs.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AppContainer, HealthGate, Network, Postgres, Redis, stackOutputs } from "berth";

const config = new pulumi.Config();
// The team's app image, and the database images (berth's Alpine defaults unless set).
const appImage = config.require("appImage");
const postgresImage = config.get("postgresImage");
const postgresUser = config.get("postgresUser");
const redisImage = config.get("redisImage");
const redisUser = config.get("redisUser");

const secret = (name: string) => new random.RandomPassword(name, { length: 24, special: false }).result;

const network = new Network("orders-net");
const data = { networkName: network.name, image: postgresImage, user: postgresUser };

// Each database answers to its own name on the network: app-db and analytics-db.
const appDb = new Postgres(
  "app-db",
  { ...data, password: secret("app-db-password"), database: "orders" },
  { dependsOn: [network] },
);
const analyticsDb = new Postgres(
  "analytics-db",
  { ...data, password: secret("analytics-db-password"), database: "analytics" },
  { dependsOn: [network] },
);
const cache = new Redis(
  "cache",
  { networkName: network.name, image: redisImage, user: redisUser, password: secret("cache-password") },
  { dependsOn: [network] },
);

// Ready as soon as each answers from here through its published port (SELECT 1 with the
// credentials, PING), or Docker's healthcheck says so; an exit, OOM or unhealthy fails at once.
const dataGate = new HealthGate(
  "data-gate",
  { watch: [appDb, analyticsDb, cache], timeoutSeconds: 120 },
  { dependsOn: [appDb, analyticsDb, cache] },
);

const api = new AppContainer(
  "api",
  {
    networkName: network.name,
    image: appImage,
    user: "1000:1000",
    command: ["node", "/app/dist/orchestrator.js"],
    port: 8080,
    // The gate asks GET /health on the published port; Docker's healthcheck keeps the status.
    readyPath: "/health",
    healthcheck: { test: ["node", "/app/dist/healthcheck.js", "8080"] },
    env: {
      DATABASE_URL: appDb.url,
      ANALYTICS_URL: analyticsDb.url,
      REDIS_URL: cache.url,
      NAMESPACES: "orders",
      LOG_LEVEL: "info",
      ORCHESTRATOR_PORT: "8080",
    },
  },
  { dependsOn: [dataGate] },
);
const apiGate = new HealthGate("api-gate", { watch: [api], timeoutSeconds: 120 }, { dependsOn: [api] });

// What berth's test kit reads (openStack's url, restart, health), keyed as the tests name the
// services; hostUrls is secret, as the database URLs carry passwords.
export const { hostUrls, containerNames, gateResults } = stackOutputs({
  services: { appDb, analyticsDb, cache, api },
  gates: { data: dataGate, api: apiGate },
});
export const aliases = {
  appDb: appDb.aliases,
  analyticsDb: analyticsDb.aliases,
  cache: cache.aliases,
  api: api.aliases,
};
