// Public API of berth's components: re-exports only.
export * from "./config/schema";
export * from "./config/errors";
export * from "./config/load";
export * from "./environment/images";
export * from "./naming";
export * from "./network";
export * from "./postgres/postgres";
export * from "./redis/redis";
export * from "./container/hardened";
export * from "./workload/orchestrator";
export * from "./workload/worker-pool";
export * from "./gate/health-gate";
export * from "./gate/command-line";
export * from "./environment/environment";
