// The pass/fail table (container × CIS rule, drawn by cli-table3), a legend of the rule titles,
// the failures with their fix, and a count. Not used by the pack itself (index.ts never loads it).
import Table from "cli-table3";
import { RULES } from "./catalog";
import type { ContainerReport, RuleResult } from "./inspect";

const CELL = { pass: "pass", fail: "FAIL", missing: "-" };

/** Rule columns in the order they first appear across the reports (CIS id order for inspectContainer). */
function columnsOf(reports: ContainerReport[]): Array<Pick<RuleResult, "id" | "title">> {
  const seen = new Map<string, string>();
  for (const r of reports.flatMap((report) => report.results)) if (!seen.has(r.id)) seen.set(r.id, r.title);
  return [...seen].map(([id, title]) => ({ id, title }));
}

function grid(reports: ContainerReport[], columns: Array<Pick<RuleResult, "id">>): string {
  // No colours: the table lands in CI logs and in exact-output tests.
  const table = new Table({
    head: ["container", ...columns.map((c) => c.id)],
    style: { head: [], border: [], compact: true },
  });
  for (const report of reports) {
    const cells = columns.map((c) => {
      const result = report.results.find((r) => r.id === c.id);
      return result === undefined ? CELL.missing : result.passed ? CELL.pass : CELL.fail;
    });
    table.push([report.container, ...cells]);
  }
  return table.toString();
}

/** The whole report as text; see tests/unit/policy-inspect.test.ts for an example. */
export function formatResultTable(reports: ContainerReport[]): string {
  const columns = columnsOf(reports);
  const idWidth = Math.max(0, ...columns.map((c) => c.id.length));
  const all = reports.flatMap((report) => report.results.map((result) => ({ report, result })));
  const failures = all.filter(({ result }) => !result.passed);
  const lines = [grid(reports, columns), ...columns.map((c) => `${c.id.padEnd(idWidth)}  ${c.title}`)];
  if (failures.length > 0) {
    lines.push("", "Failures:");
    for (const { report, result } of failures) {
      lines.push(`  ${report.container}  ${result.id} ${result.title}: ${result.detail}`);
      const rule = RULES.find((r) => r.name === result.rule);
      if (rule !== undefined) lines.push(`    fix: ${rule.fix(report.service ?? "<service>")}`);
    }
  }
  lines.push("", `${all.length - failures.length} of ${all.length} checks passed`);
  return lines.join("\n");
}
