// Hundreds of stacks on one engine: networks created the way berth creates them (pick-subnet picks,
// then the network is created with that subnet, as engine mode sends it) on the real engine; the
// engine's default pools hold about 30. Every network carries this run's label and is removed after.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import Docker from "dockerode";
import {
  blockOf,
  cidr,
  DEFAULT_SUBNET_POOL,
  DEFAULT_SUBNET_PREFIX_LENGTH,
  formatCidr,
  isSubnetOf,
  overlaps,
} from "../../components/subnets";
import { createEngineClient } from "../../gate/engine-client";
import { hostRoutes, pickOnEngine } from "../../tools/pick-subnet";
import { requireBuilt, runCli } from "../../lab/gate-runner";
import { networkCreateOptions } from "../../testing/engine/network-spec";
import { requireEngine } from "../support/required-service";

const PICK_SUBNET = join(__dirname, "..", "..", "dist", "tools", "pick-subnet.js");
const RUN = randomBytes(4).toString("hex");
const LABEL = "berth.it-subnets";
const docker = new Docker();
const engine = createEngineClient();

const mine = async () => (await docker.listNetworks({ filters: { label: [`${LABEL}=${RUN}`] } })).map((n) => n.Id);

/** Removes this run's networks, a few at a time (the engine serialises much of it anyway). */
async function removeMine(): Promise<void> {
  const ids = await mine();
  for (let i = 0; i < ids.length; i += 8)
    await Promise.all(
      ids.slice(i, i + 8).map((id) =>
        docker
          .getNetwork(id)
          .remove()
          .catch(() => undefined),
      ),
    );
}

/** The pick, then the create with its answer: what a stack's first up does. */
async function pickAndCreate(name: string, pool: string, prefixLength: number): Promise<string> {
  const pick = await pickOnEngine(engine, { network: name, pool: cidr(pool), poolText: pool, prefixLength });
  assert.equal(pick.kind, "picked", `${name}: ${JSON.stringify(pick)}`);
  const subnet = (pick as { subnet: string }).subnet;
  const labels = [
    { label: LABEL, value: RUN },
    { label: "berth.project", value: "berth-it" },
  ];
  await docker.createNetwork(
    networkCreateOptions({
      name,
      driver: "bridge",
      internal: false,
      attachable: false,
      labels,
      ipamConfigs: [{ subnet }],
    }),
  );
  return subnet;
}

const subnetsOf = async (id: string) =>
  ((await docker.getNetwork(id).inspect()).IPAM?.Config ?? []).map((c: { Subnet?: string }) => c.Subnet);

describe("stack subnets on a real engine", function () {
  this.timeout(15 * 60_000);

  before(async function () {
    requireBuilt(PICK_SUBNET);
    await requireEngine(this);
  });
  afterEach(removeMine);
  after(removeMine);

  it("reads this host's routes as `ip route` lists them, the default route left out", function () {
    const listed = execFileSync("ip", ["-4", "route", "show", "table", "main"], { encoding: "utf8" })
      .split("\n")
      .map((line) => line.split(" ")[0])
      .filter((dest) => dest !== "" && dest !== "default")
      .map((dest) => formatCidr(cidr(dest.includes("/") ? dest : `${dest}/32`)));
    assert.deepEqual(hostRoutes().map(formatCidr).sort(), [...new Set(listed)].sort());
  });

  it("fails when the pool is exhausted, naming the settings to change and how many subnets are in use", async function () {
    const pool = "172.16.254.0/25";
    for (let i = 0; i < 4; i++) await pickAndCreate(`berth-it-${RUN}-x${i}-net`, pool, 27);
    const run = await runCli(PICK_SUBNET, [
      "--network",
      `berth-it-${RUN}-x4-net`,
      "--pool",
      pool,
      "--prefix-length",
      "27",
    ]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.deepEqual(run.stderrLines, [
      `berth pick-subnet: berth-it-${RUN}-x4-net: no free /27 subnet in berth:network.subnetPool 172.16.254.0/25: 4 of its 4 overlap the engine's networks ` +
        "or the host's routes. Give berth:network.subnetPool a larger or another block, or berth:network.subnetPrefixLength a larger number (smaller subnets), " +
        "or remove networks no stack uses (docker network ls --filter label=berth.project)",
    ]);
  });

  it("gives 200 stack networks their own subnets from the default pool, and a network that exists keeps its own", async function () {
    const pool = cidr(DEFAULT_SUBNET_POOL);
    const created = new Map<string, string>();
    for (let i = 0; i < 200; i++) {
      const name = `berth-it-${RUN}-s${i}-net`;
      // The first through the tool itself, as the Network component runs it; the rest in process.
      if (i === 0) {
        const run = await runCli(PICK_SUBNET, [
          "--network",
          name,
          "--pool",
          DEFAULT_SUBNET_POOL,
          "--prefix-length",
          String(DEFAULT_SUBNET_PREFIX_LENGTH),
        ]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(
          run.stderrLines[0],
          new RegExp(
            `^berth pick-subnet: ${name} gets ${run.stdout.trim().replace(/\./g, "\\.")} \\(\\d+ of the 1024 /26 subnets of 172\\.16\\.0\\.0/16 were in use\\)$`,
          ),
        );
      }
      created.set(name, await pickAndCreate(name, DEFAULT_SUBNET_POOL, DEFAULT_SUBNET_PREFIX_LENGTH));
    }
    const subnets = [...created.values()];
    assert.equal(new Set(subnets).size, 200);
    for (const s of subnets) assert.ok(isSubnetOf(cidr(s), pool, DEFAULT_SUBNET_PREFIX_LENGTH), s);
    // What the engine holds: each network has exactly the subnet it was given, and no two of the
    // engine's networks overlap (other engineers' and Docker's own included).
    const ids = await mine();
    assert.equal(ids.length, 200);
    const all = await docker.listNetworks();
    for (const n of all.filter((n) => created.has(n.Name)))
      assert.deepEqual(await subnetsOf(n.Id), [created.get(n.Name)], n.Name);
    const blocks = all.flatMap((n) =>
      (n.IPAM?.Config ?? []).flatMap((c: { Subnet?: string }) =>
        c.Subnet && blockOf(c.Subnet) ? [{ name: n.Name, block: blockOf(c.Subnet)! }] : [],
      ),
    );
    for (let a = 0; a < blocks.length; a++)
      for (let b = a + 1; b < blocks.length; b++)
        assert.ok(!overlaps(blocks[a].block, blocks[b].block), `${blocks[a].name} overlaps ${blocks[b].name}`);
    // A network created from the engine's default pools still gets one: berth's took none of them.
    const plain = await docker.createNetwork({ Name: `berth-it-${RUN}-default-pool`, Labels: { [LABEL]: RUN } });
    assert.equal((await subnetsOf(plain.id)).length, 1);
    // An existing network (a killed run's leftover) keeps its subnet.
    const first = `berth-it-${RUN}-s0-net`;
    const again = await runCli(PICK_SUBNET, [
      "--network",
      first,
      "--pool",
      DEFAULT_SUBNET_POOL,
      "--prefix-length",
      "26",
    ]);
    assert.deepEqual(
      [again.code, again.stdout, again.stderrLines],
      [0, `${created.get(first)}\n`, [`berth pick-subnet: ${first} exists with ${created.get(first)}: kept`]],
    );
  });
});
