// berth's test-side client (`berth/testing`): reach a stack from test code, a database per test
// from a snapshot, Redis per test worker, service restarts behind their gates, health reports.
export { openStack, StackHandle } from "./stack";
export type { OpenStackOptions } from "./stack";
export { readStackOutputs, automationOutputs, DEFAULT_PROJECT } from "./stack-outputs";
export type { ReadOutputsOptions, StackOutputsRead, AutomationReader } from "./stack-outputs";
export { outputsDir, recordPath, readRecordedOutputs, writeRecordedOutputs, removeRecordedOutputs } from "./recorded-outputs";
export type { RecordedOutputs } from "./recorded-outputs";
export { PostgresTemplates } from "./postgres-templates";
export { declaredContainers, withDatabase } from "./endpoints";
export type { Clone, PostgresTemplatesOptions } from "./postgres-templates";
export type { CopyStrategy, ReapScope, Session } from "./postgres-sql";
export { openRedisSlot } from "./redis-slot";
export type { RedisSlot, RedisSlotMode, RedisSlotOptions } from "./redis-slot";
export { restartService, restartGateArgs } from "./service-control";
export type { RestartOptions } from "./service-control";
export { DOWN_STATES, downRows, statusRows, statusTable } from "./health-report";
export type { DeclaredContainer, ServiceState, StatusRow } from "./health-report";
export { stackAndNamedContainers, stackContainers } from "./stack-containers";
export type { StackRef } from "./stack-containers";
export { runId, workerIndex } from "./run-id";
