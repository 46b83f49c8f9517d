// Mocha's spec output, then one closing line that CI reads: "N passed, N failed, N skipped".
// With BERTH_STATS_FILE set, the counts are also written there so tests/run.sh can add up
// several runs (the Node 22 unit pass and the main run) into the one closing line.
"use strict";
const fs = require("node:fs");
const Mocha = require("mocha");
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      if (process.env.BERTH_STATS_FILE) {
        fs.writeFileSync(process.env.BERTH_STATS_FILE, JSON.stringify({ passes, failures, pending }));
        return;
      }
      // After Spec's epilogue, so it is the last line printed.
      process.on("exit", () => console.log(`${passes} passed, ${failures} failed, ${pending} skipped`));
    });
  }
}
module.exports = SummaryReporter;
