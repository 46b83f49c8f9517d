// The GitHub workflows, parsed: triggers, jobs and the steps that matter, with their exact values.
// (Checked once by hand with actionlint and action-validator too; neither is a dependency.)
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { REPO_ROOT } from "../../lab/berth-program";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  "runs-on": string;
  "timeout-minutes": number;
  env?: Record<string, unknown>;
  services?: Record<string, { image: string; env?: Record<string, string>; ports?: string[] }>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const DIR = path.join(REPO_ROOT, ".github", "workflows");

/** Parses a workflow; YAML errors or warnings (duplicate keys, bad indentation) fail the test. */
function parseWorkflow(text: string, file: string): Workflow {
  const doc = parseDocument(text, { uniqueKeys: true });
  assert.deepEqual(
    [...doc.errors, ...doc.warnings].map((e) => e.message.split("\n")[0]),
    [],
    file,
  );
  return doc.toJS() as Workflow;
}
const load = (file: string) => parseWorkflow(fs.readFileSync(path.join(DIR, file), "utf8"), file);

/** Step indices must increase: the steps run in this order. */
function assertOrder(steps: Record<string, number>): void {
  const names = Object.keys(steps);
  const sorted = [...names].sort((a, b) => steps[a] - steps[b]);
  assert.deepEqual(sorted, names, "steps out of order");
}

/** The one step matching `pick`; fails naming what was looked for. */
function step(job: Job, what: string, pick: (s: Step) => boolean): { step: Step; index: number } {
  const found = job.steps.map((s, index) => ({ step: s, index })).filter(({ step: s }) => pick(s));
  assert.equal(
    found.length,
    1,
    `expected one step: ${what}; steps: ${job.steps.map((s) => s.name ?? s.uses ?? s.run).join(" | ")}`,
  );
  return found[0];
}
const uses = (action: string) => (s: Step) => s.uses === action;
const runs = (command: string) => (s: Step) => s.run === command;
const pulumi = (command: string) => (s: Step) => s.uses === "pulumi/actions@v6" && s.with?.command === command;

/** Checkout, Node 20 with the npm cache and `npm ci`, in that order, first. */
function assertNodeSetup(job: Job): number {
  const checkout = step(job, "checkout", uses("actions/checkout@v4"));
  const node = step(job, "setup-node", uses("actions/setup-node@v4"));
  const ci = step(job, "npm ci", runs("npm ci"));
  assert.deepEqual(node.step.with, { "node-version": "20", cache: "npm" });
  assert.equal(checkout.index, 0);
  assertOrder({ checkout: checkout.index, "setup-node": node.index, "npm ci": ci.index });
  return ci.index;
}

const PULUMI_ACTION_INPUTS = new Set([
  "command",
  "stack-name",
  "work-dir",
  "cloud-url",
  "comment-on-pr",
  "comment-on-summary",
  "github-token",
  "refresh",
  "secrets-provider",
  "color",
  "config-map",
  "diff",
  "edit-pr-comment",
  "expect-no-changes",
  "message",
  "parallel",
  "pulumi-version",
  "remove",
  "upsert",
  "target",
  "suppress-outputs",
  "suppress-progress",
  "always-include-summary",
  "continue-on-error",
]);

describe("GitHub workflows", function () {
  it("fails when a workflow has a duplicate key or broken YAML", function () {
    assert.throws(() => parseWorkflow("on: push\non: pull_request\n", "dup.yml"), /Map keys must be unique/);
    assert.throws(
      () => parseWorkflow("jobs:\n  a: [\n", "broken.yml"),
      /Flow sequence in block collection must be sufficiently indented and end with a \]/,
    );
  });

  it("has exactly ci, integration and preview", function () {
    assert.deepEqual(fs.readdirSync(DIR).sort(), ["ci.yml", "integration.yml", "preview.yml"]);
  });

  it("pins every action to a major version, gives pulumi/actions only inputs it knows, bounds every job's time", function () {
    for (const file of fs.readdirSync(DIR)) {
      for (const [id, job] of Object.entries(load(file).jobs)) {
        assert.equal(job["runs-on"], "ubuntu-24.04", `${file} ${id}`);
        assert.ok(job["timeout-minutes"] > 0 && job["timeout-minutes"] <= 90, `${file} ${id}`);
        for (const s of job.steps.filter((x) => x.uses)) {
          assert.match(s.uses!, /^[a-z-]+\/[a-z-]+@v\d+$/, `${file} ${id}`);
          if (s.uses!.startsWith("pulumi/actions")) {
            const unknown = Object.keys(s.with ?? {}).filter((k) => !PULUMI_ACTION_INPUTS.has(k));
            assert.deepEqual(unknown, [], `${file} ${id}: unknown pulumi/actions inputs`);
          }
        }
      }
    }
  });

  describe("preview.yml", function () {
    let wf: Workflow;
    let job: Job;
    before(function () {
      wf = load("preview.yml");
      job = wf.jobs.preview;
    });

    it("runs on pull requests, allowed to comment on them", function () {
      assert.deepEqual(Object.keys(wf.on), ["pull_request"]);
      assert.deepEqual(wf.permissions, { contents: "read", "pull-requests": "write" });
      assert.deepEqual(Object.keys(wf.jobs), ["preview"]);
    });

    it("prints the operations against the base branch and checks the offline plan, then previews the test stack with a comment on the pull request", function () {
      const installed = assertNodeSetup(job);
      const plan = step(job, "plan check", runs('npm run plan -- --check --against "origin/${{ github.base_ref }}"'));
      assert.deepEqual(job.steps[0], { uses: "actions/checkout@v4", with: { "fetch-depth": 0 } });
      const preview = step(job, "pulumi preview", pulumi("preview"));
      assertOrder({ "npm ci": installed, plan: plan.index, preview: preview.index });
      assert.deepEqual(preview.step.with, {
        command: "preview",
        "stack-name": "test",
        upsert: true,
        "comment-on-pr": true,
        "github-token": "${{ secrets.GITHUB_TOKEN }}",
        "cloud-url": "${{ secrets.PULUMI_BACKEND_URL || 'file://~/.pulumi-berth' }}",
      });
      assert.equal(job.env?.PULUMI_CONFIG_PASSPHRASE, "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
    });
  });

  describe("integration.yml", function () {
    let wf: Workflow;
    let job: Job;
    before(function () {
      wf = load("integration.yml");
      job = wf.jobs.e2e;
    });

    it("runs on pushes to main, pull requests and by hand, with the test stack's local backend and empty passphrase", function () {
      assert.deepEqual(wf.on, { push: { branches: ["main"] }, pull_request: null, workflow_dispatch: null });
      assert.deepEqual(wf.env, { STACK: "test", BACKEND: "file://~/.pulumi-berth", PULUMI_CONFIG_PASSPHRASE: "" });
      assert.deepEqual(wf.permissions, { contents: "read" });
    });

    it("brings the stack up, runs the e2e smoke, keeps logs on failure and always destroys, in that order", function () {
      const installed = assertNodeSetup(job);
      const up = step(job, "pulumi up", pulumi("up"));
      const e2e = step(job, "e2e smoke", runs("npm run test:e2e"));
      const logs = step(job, "log collection", (s) => s.name === "Collect container logs");
      const upload = step(job, "log upload", uses("actions/upload-artifact@v4"));
      const destroy = step(job, "pulumi destroy", pulumi("destroy"));
      assertOrder({
        "npm ci": installed,
        up: up.index,
        e2e: e2e.index,
        logs: logs.index,
        upload: upload.index,
        destroy: destroy.index,
      });
      assert.deepEqual(up.step.with, {
        command: "up",
        "stack-name": "${{ env.STACK }}",
        upsert: true,
        "cloud-url": "${{ env.BACKEND }}",
      });
      assert.deepEqual(e2e.step.env, { CI: "true" });
      assert.equal(e2e.step.if, undefined);
      assert.equal(logs.step.if, "failure()");
      assert.equal(upload.step.if, "failure()");
      assert.deepEqual(upload.step.with, { name: "container-logs", path: "logs/", "if-no-files-found": "warn" });
      assert.equal(destroy.step.if, "always()");
      assert.deepEqual(destroy.step.with, {
        command: "destroy",
        "stack-name": "${{ env.STACK }}",
        remove: true,
        "cloud-url": "${{ env.BACKEND }}",
      });
    });

    it("collects every container of the stack by its label: status, docker ps -a, docker logs and inspect of each", function () {
      const script = step(job, "log collection", (s) => s.name === "Collect container logs").step.run!;
      assert.deepEqual(script.trimEnd().split("\n"), [
        "mkdir -p logs",
        'npm run --silent status -- --stack "$STACK" > logs/status.txt 2>&1 || true',
        "docker ps -a --filter label=berth.stack=$STACK > logs/containers.txt",
        "for name in $(docker ps -a --filter label=berth.stack=$STACK --format '{{.Names}}'); do",
        '  docker logs --timestamps "$name" > "logs/$name.log" 2>&1 || true',
        '  docker inspect "$name" > "logs/$name.inspect.json" || true',
        "done",
      ]);
    });
  });

  describe("ci.yml", function () {
    let wf: Workflow;
    let job: Job;
    before(function () {
      wf = load("ci.yml");
      job = wf.jobs.test;
    });

    it("runs on pushes to main and pull requests", function () {
      assert.deepEqual(wf.on, { push: { branches: ["main"] }, pull_request: null });
      assert.deepEqual(Object.keys(wf.jobs), ["test"]);
    });

    it("runs npm test with CI=true against Postgres and Redis service containers", function () {
      const installed = assertNodeSetup(job);
      const test = step(job, "npm test", runs("npm test"));
      assertOrder({ "npm ci": installed, "npm test": test.index });
      assert.deepEqual(job.env, {
        CI: "true",
        BERTH_TEST_DATABASE_URL: "postgres://postgres:berth@127.0.0.1:5432/postgres",
        BERTH_TEST_REDIS_URL: "redis://127.0.0.1:6379",
      });
      assert.deepEqual(
        Object.entries(job.services ?? {}).map(([id, s]) => [id, s.image, s.ports, s.env]),
        [
          ["postgres", "postgres:16", ["5432:5432"], { POSTGRES_PASSWORD: "berth" }],
          ["redis", "redis:7", ["6379:6379"], undefined],
        ],
      );
    });
  });
});
