// berth/testing: test your own Pulumi program the way berth tests its own.
// - recordProgram: the program under Pulumi's mock runtime, every resource recorded with its
//   parent, dependencies, inputs (secrets unwrapped) and which inputs are secret.
// - EngineMode: the program applied to a real Docker engine without the Pulumi CLI (its
//   docker.Provider honoured), destroyed again; PulumiMode does the same through the CLI.
// - the test-side client (testing/client): a stack from test code (outputs, URLs, health, service
//   restarts behind their gates), a Postgres clone per test, a Redis database per test worker.
export * from "./program";
export * from "./recorder";
export * from "./engine/mode";
export { EngineMode } from "./engine/engine-mode";
export { PulumiMode, pulumiCli } from "./engine/pulumi-mode";
export { selectMode } from "./engine/select-mode";
export { stackObjects, sweepStack, StackObjects } from "./engine/stack-objects";
export * from "./client";
