// Program evaluation under Pulumi's mock runtime (no engine): index.ts loaded afresh with
// berth:workers.replicas = n, timed from the load to every resource registered and every stack
// output resolved (tests/support/mock-program.ts).
import { performance } from "node:perf_hooks";
import { runProgram } from "../lab/berth-program";

export interface EvalRun {
  workers: number;
  resources: number;
  ms: number;
}

export async function evaluate(workers: number): Promise<EvalRun> {
  const started = performance.now();
  const run = await runProgram("test", { "berth:workers": { replicas: workers, namespaces: ["default"] } });
  return { workers, resources: run.resources.length, ms: performance.now() - started };
}

/** One untimed evaluation loads the SDK and the components; then `rounds` rounds over `counts`. */
export async function evaluationScaling(counts: number[], rounds: number): Promise<EvalRun[]> {
  await evaluate(counts[0]);
  const runs: EvalRun[] = [];
  for (let r = 0; r < rounds; r++) for (const n of counts) runs.push(await evaluate(n));
  return runs;
}
