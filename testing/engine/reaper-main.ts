// The reaper's process (reaper.ts): waits for its stdin to close, then destroys the stack unless
// it was released first. Loads no Pulumi SDK.
import Docker from "dockerode";
import { destroyStack } from "./teardown";
import { dockerFor } from "./resources";
import { RELEASE, ReaperOrders } from "./reaper";

const orders = JSON.parse(process.argv[2]) as ReaperOrders;
const say = (line: string) =>
  process.stderr.write(
    `${new Date().toISOString()} reaper of ${orders.project}/${orders.stack} (pid ${process.pid}): ${line}\n`,
  );
let received = "";
process.stdin.on("data", (chunk: Buffer) => (received += chunk.toString("utf8")));
process.stdin.on("error", () => undefined);
process.stdin.on("close", () => {
  if (received.includes(RELEASE)) process.exit(0);
  say("its process ended without destroying the stack: reaping");
  const local = new Docker();
  destroyStack(orders, orders, (engine) => (engine === undefined ? local : dockerFor(engine)), undefined).then(
    (removed) => {
      say(`removed ${removed.length} recorded object(s) and every object with the stack's labels`);
      process.exit(0);
    },
    (err: Error) => {
      say(err.message);
      process.exit(1);
    },
  );
});
say("watching");
