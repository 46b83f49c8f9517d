// The berth program: validate the stack's config, declare the environment, export how to reach it.
import * as pulumi from "@pulumi/pulumi";
import { Environment, loadStackConfig } from "./components";

const { settings, postgresPassword } = loadStackConfig();
const env = new Environment("berth", { settings, postgresPassword });

export const environment = settings.environment;
export const imageStack = env.imageStack;
export const networkName = env.network.name;
export const containerNames = env.containerNames;
export const hostPorts = env.hostPorts;
/** Secret: the Postgres URL carries the password. */
export const hostUrls = pulumi.secret(env.hostUrls);
/** URLs for containers on the stack's network (secret). */
export const networkUrls = pulumi.secret(pulumi.all({ postgres: env.postgres.url, redis: env.redis.url }));
export const gateResults = pulumi.all({ data: env.gates.data.result, orchestrator: env.gates.orchestrator.result, workers: env.gates.workers?.result });
