// `npm run status -- --stack test [--json]`: see status-cli.ts. Exit codes: 0 rows shown,
// 1 no container carries the stack's labels, 2 the Docker engine cannot be reached.
import { statusCommand } from "./status-cli";

statusCommand(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`status failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(3);
  },
);
