// `npm run status -- --stack test [--json]`: see status-cli.ts. Exit codes: 0 every container up,
// 1 a declared container missing, one stopped or unhealthy, or none at all, 2 the Docker engine
// cannot be reached, 3 anything else.
import { statusCommand } from "./status-cli";

statusCommand(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`status failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(3);
  },
);
