// Picks the e2e mode: pulumi mode whenever a `pulumi` CLI answers, engine mode otherwise.
// BERTH_E2E_MODE=engine|pulumi forces one (pulumi without a working CLI is an error).
import { EngineMode } from "./engine-mode";
import { StackMode } from "./mode";
import { PulumiMode, pulumiCli } from "./pulumi-mode";

export function selectMode(
  env: NodeJS.ProcessEnv = process.env,
  probe: () => { works: boolean; why: string } = pulumiCli,
): { mode: StackMode; why: string } {
  const forced = env.BERTH_E2E_MODE;
  if (forced !== undefined && forced !== "engine" && forced !== "pulumi")
    throw new Error(`BERTH_E2E_MODE must be "engine" or "pulumi"; got "${forced}"`);
  if (forced === "engine") return { mode: new EngineMode(), why: "BERTH_E2E_MODE=engine" };
  const cli = probe();
  if (cli.works) return { mode: new PulumiMode(), why: cli.why };
  if (forced === "pulumi") throw new Error(`BERTH_E2E_MODE=pulumi but no pulumi CLI works here: ${cli.why}`);
  return { mode: new EngineMode(), why: `no pulumi CLI (${cli.why})` };
}
