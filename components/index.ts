// Public API of berth's components: re-exports only.
export * from "./config";
export * from "./config-errors";
export * from "./stack-config";
export * from "./images";
export * from "./naming";
export * from "./network";
export * from "./postgres";
export * from "./redis";
export * from "./service";
export * from "./orchestrator";
export * from "./worker-pool";
export * from "./health-gate";
export * from "./health-gate-spec";
export * from "./environment";
