// `berth`: the public surface of the components, listed by name. Everything not listed here is
// internal and may change in any release; code inside this repository imports modules directly.
// api/berth.api.md is the reviewed report of this surface (`npm run api-report`).

// The components and their Args.
export { Network } from "./network";
export type { NetworkArgs } from "./network";
export { Postgres } from "./postgres/postgres";
export type { PostgresArgs } from "./postgres/postgres";
export { Redis } from "./redis/redis";
export type { RedisArgs } from "./redis/redis";
export { AppContainer } from "./container/app-container";
export type { AppContainerArgs } from "./container/app-container";
export { Orchestrator } from "./workload/orchestrator";
export type { OrchestratorArgs } from "./workload/orchestrator";
export { WorkerPool } from "./workload/worker-pool";
export type { WorkerPoolArgs } from "./workload/worker-pool";
export { SwarmWorkerPool } from "./workload/swarm-worker-pool";
export type { SwarmWorkerPoolArgs } from "./workload/swarm-worker-pool";
export { HealthGate } from "./gate/health-gate";
export type { Gated, HealthGateArgs, SwarmGated } from "./gate/health-gate";
export { Environment } from "./environment/environment";
export type { EnvironmentArgs } from "./environment/environment";
export type { PublishedServiceArgs, ServiceArgs } from "./container/service";

// Defaults a caller overrides one key at a time.
export { DEFAULT_HARDENING, DEFAULT_STOP_GRACE_SECONDS, defaultHealthcheck } from "./container/settings";
export type { Hardening, HardeningInput, HealthcheckTiming } from "./container/settings";
export { postgresDefaults } from "./postgres/settings";
export { redisDefaults } from "./redis/settings";
export { orchestratorDefaults, workersDefaults } from "./workload/settings";
export { DEFAULT_GATE_TIMEOUT_SECONDS } from "./gate/settings";
export { POSTGRES_PORT, REDIS_PORT } from "./environment/urls";
export { ORCHESTRATOR_PORT, WORKER_PORT } from "./workload/contract";

// Stack configuration: loading, the normalised settings, and the errors.
export { CONFIG_NAMESPACE, loadStackConfig } from "./config/load";
export type { StackConfig } from "./config/load";
export { parseStackConfig } from "./config/schema";
export type { ServiceName, Settings } from "./config/schema";
export type { EnvironmentType } from "./fields";
export type { ImageStackName, ResolvedImage } from "./images";
export type { PostgresSettings } from "./postgres/settings";
export type { MaxmemoryPolicy, RedisSettings } from "./redis/settings";
export type { OrchestratorSettings, WorkersDefaults, WorkersSettings } from "./workload/settings";
export type { ClusterMode, SwarmSettings } from "./workload/swarm-settings";
export type { TierName, TierSettings } from "./config/tiers";
export type { PortPlan, PortSettings, PublishMode } from "./ports";
export type { HostUrls } from "./environment/urls";
export { ConfigError } from "./problems";
export type { ConfigProblem } from "./problems";

// Labels: the keys berth puts on every object, and the set for a program's own Docker objects.
export { LABELS } from "./contract";
export { defaultLabels, labelList } from "./naming";

// The outputs the test kit reads from a stack.
export { stackOutputs } from "./stack-outputs";
export type { OutputGate, OutputService, StackOutputs, StackOutputValues } from "./stack-outputs";
export type { GateResult } from "./gate/result";
export type { FinalStatus, ProbeKind } from "./gate/result";
