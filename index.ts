// The berth program: validate the stack's config, declare the environment, export how to reach it.
import * as pulumi from "@pulumi/pulumi";
import { Environment, loadStackConfig } from "./components";
import { assertFreshBuild } from "./fresh-build";

assertFreshBuild(__filename);
const { settings, postgresPassword } = loadStackConfig();

// The Pulumi SDK records `new Error().stack` for each output property of each resource, only for
// its promise-leak report; under ts-node's source maps that was 85% of evaluation time (6.7 s for
// 100 workers: bench/RESULTS.md of 2026-11-23, "What was cut", item 1, in git only:
// `git show 5b46732:bench/RESULTS.md`). No frames while declaring; resources still get their source
// position (the SDK raises the limit for that itself), and the limit is back for everything after.
const stackTraceLimit = Error.stackTraceLimit;
Error.stackTraceLimit = 0;
let env: Environment;
try {
  env = new Environment("berth", { settings, postgresPassword });
} finally {
  Error.stackTraceLimit = stackTraceLimit;
}

export const environment = settings.environment;
export const imageStack = env.imageStack;
export const networkName = env.network.name;
export const containerNames = env.containerNames;
/** The workers' swarm service with `berth:cluster: swarm` (undefined on one engine). */
export const workerService = env.workerService;
export const hostPorts = env.hostPorts;
/** Secret: the Postgres URL carries the password. */
export const hostUrls = pulumi.secret(env.hostUrls);
/** URLs for containers on the stack's network (secret). */
export const networkUrls = pulumi.secret(pulumi.all({ postgres: env.postgres.url, redis: env.redis.url }));
export const gateResults = pulumi.all({
  data: env.gates.data.result,
  orchestrator: env.gates.orchestrator.result,
  workers: env.gates.workers?.result,
});
