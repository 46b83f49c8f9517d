// `npm run bench`: berth's test stack against a hand-written docker-compose setup on the same
// engine (warm-up, then A B A B …), scaling with the number of workers, and the gate's latency.
// Progress goes to stderr, the Markdown report to stdout (and to --out). Needs a Docker engine,
// docker-compose, `npm run build` (the gate CLI) and root for the first, offline image build.
import { writeFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import Docker from "dockerode";
import { ensureDataImage, ensureWorkloadImage } from "../lab/images/e2e-images";
import { GATE_CLI, PIDS_CLI, requireBuilt } from "../lab/gate-runner";
import { composeDown, composeRun } from "./compose-run";
import { BenchImages, engineConfig, engineRun } from "./engine-run";
import { evaluationScaling } from "./eval-scaling";
import { gateLatencies } from "./gate-latency";
import { describeMachine, foreignContainers, waitForQuiet } from "./machine";
import { BenchResults, formatReport } from "./report";

const count = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`an integer of at least ${min}`);
  return n;
};

const program = new Command("bench")
  .description("time to all-healthy: berth (engine mode) vs docker-compose, scaling, gate latency")
  .option("--pairs <n>", "A/B pairs after the warm-up", count(1), 5)
  .option("--eval-rounds <n>", "rounds of the evaluation scaling (1, 10, 100 workers)", count(1), 3)
  .option("--scaling-rounds <n>", "rounds of the engine scaling (1, 4, 16 workers)", count(1), 2)
  .option("--latency-runs <n>", "gate latency runs", count(2), 20)
  .option("--out <file>", "also write the report to this file");

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const RUN = `${Date.now().toString(36).slice(-4)}${process.pid.toString(36)}`;
// Stack and project names: unique per run, so nothing collides with a concurrent test run.
const stack = (part: string) => `bench-${RUN}-${part}`;
const OWN_PREFIXES = [`berth-bench-${RUN}-`, `bench-${RUN}-`, "berth-gatetest-bench-"];

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{ pairs: number; evalRounds: number; scalingRounds: number; latencyRuns: number; out?: string }>();
  const docker = new Docker();
  await docker.ping().catch((err) => {
    throw new Error(`no Docker engine answers (${err.message}): run \`eval "$(bash .ci/services.sh)"\` as root first`);
  });
  requireBuilt(GATE_CLI);
  requireBuilt(PIDS_CLI);
  const startedAt = new Date().toISOString();
  const machine = await describeMachine(docker);
  const images: BenchImages = { data: ensureDataImage(log).tag, app: ensureWorkloadImage(log).tag };
  log(`images ${images.data}, ${images.app}`);

  const foreign: string[] = [];
  const settles: BenchResults["settles"] = [];
  // Before every run: note other containers, then let the engine finish cleaning up the last run.
  const sample = async () => {
    foreign.push(...(await foreignContainers(docker, OWN_PREFIXES)));
    settles.push(await waitForQuiet());
  };
  const a = async (part: string, workers?: number) => {
    await sample();
    const run = await engineRun(docker, stack(part), engineConfig(images, workers));
    log(`A ${part}: all healthy after ${(run.allHealthyMs / 1000).toFixed(2)} s (${run.containers} containers)`);
    return run;
  };
  const b = async (part: string) => {
    await sample();
    const project = `berth-bench-${RUN}-${part}`;
    try {
      const run = await composeRun(docker, project, images);
      log(`B ${part}: all healthy after ${(run.allHealthyMs / 1000).toFixed(2)} s`);
      return run;
    } catch (err) {
      await composeDown(project, images).catch(() => undefined);
      throw err;
    }
  };

  // Evaluation first: it is CPU-bound and needs no engine, so nothing of ours runs beside it.
  log(`evaluation scaling: ${opts.evalRounds} round(s) of 1, 10, 100 workers`);
  const evaluation = await evaluationScaling([1, 10, 100], opts.evalRounds);

  log("warm-up: one A, one B (not counted)");
  await a("warm");
  await b("warm");
  const pairs: BenchResults["pairs"] = [];
  for (let i = 1; i <= opts.pairs; i++) pairs.push({ a: await a(`a${i}`), b: await b(`b${i}`) });

  const engineScaling: BenchResults["engineScaling"] = [];
  for (let round = 1; round <= opts.scalingRounds; round++) {
    for (const workers of [1, 4, 16]) engineScaling.push({ workers, run: await a(`s${round}w${workers}`, workers) });
  }

  log(`gate latency: ${opts.latencyRuns} runs`);
  await sample();
  const gateLatencyMs = await gateLatencies(opts.latencyRuns);
  foreign.push(...(await foreignContainers(docker, OWN_PREFIXES)));

  const report = formatReport({
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim().replace(/ --$/, ""),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    foreignContainers: foreign,
    settles,
    pairs,
    evaluation,
    engineScaling,
    gateLatencyMs,
  });
  process.stdout.write(report);
  if (opts.out) writeFileSync(opts.out, report);
}

main().then(
  () => process.exit(0), // the mock runtime leaves promises behind; the report is complete
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
