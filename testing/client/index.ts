// `berth/testing/client`: the test-side client, listed by name (api/berth-testing-client.api.md is
// its reviewed report). Reach a stack from test code, a database per test from a snapshot, Redis
// per test worker, service restarts behind their gates, health reports.
export { openStack, StackHandle } from "./stack";
export type { OpenStackOptions } from "./stack";
export type { DockerClient } from "./docker-client";
export { readStackOutputs } from "./stack-outputs";
export type { AutomationReader, ReadOutputsOptions, StackOutputsRead } from "./stack-outputs";
export type { StackOutputs } from "../../components/stack-outputs";
export type { GateResult } from "../../components/gate/result";
export type { FinalStatus, ProbeKind } from "../../gate/types";
export type { StackRef } from "./stack-containers";
export { withDatabase } from "./endpoints";
export { PostgresTemplates } from "./postgres-templates";
export type { Clone, PostgresTemplatesOptions } from "./postgres-templates";
export type { CopyStrategy, ReapScope, Session } from "./postgres-sql";
export { openRedisSlot } from "./redis-slot";
export type { RedisSlot, RedisSlotMode, RedisSlotOptions } from "./redis-slot";
export type { RestartOptions } from "./service-control";
export { downRows, statusTable } from "./health-report";
export type { ServiceState, StatusRow } from "./health-report";
export { runId, workerIndex } from "./run-id";
