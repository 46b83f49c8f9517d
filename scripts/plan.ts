// `npm run plan -- --stack test [--check]`: see plan-cli.ts. Exit codes: 0 up to date (or
// written), 1 a snapshot differs, 2 the program failed (a config error says which key to change).
import { planCommand } from "./plan-cli";

planCommand(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`plan failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
