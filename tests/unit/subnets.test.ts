// Stack subnets: the CIDR math, the pick (its order, what it skips, the exhausted error), the host's
// routes as /proc/net/route lists them, the tool's command line, and engine mode's network create body.
import { strict as assert } from "node:assert";
import {
  blockOf,
  cidr,
  formatAddress,
  formatCidr,
  isSubnetOf,
  overlaps,
  parseCidr,
  pickSubnetCommandLine,
  subnetAt,
  subnetCount,
} from "../../components/subnets";
import { parsePickSubnetArgs } from "../../tools/pick-subnet-args";
import { isLocalEngine, pickOnEngine } from "../../tools/pick-subnet";
import type { EngineClient } from "../../gate/engine-client";
import { blockedRanges, exhaustedMessage, parseProcRoutes, pickSubnet, probeOrder } from "../../tools/subnet-pick";
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLAIM_TTL_MS, fileClaims } from "../../tools/subnet-claims";
import { networkCreateOptions } from "../../testing/engine/network-spec";
import { pickedSubnet } from "../../testing/recorder";

const POOL = cidr("172.16.0.0/16");
const pick = (
  networks: { name: string; subnets: string[] }[],
  routes: string[] = [],
  networkName = "berth-test-net",
  pool = POOL,
  prefixLength = 26,
) => pickSubnet({ networkName, pool, prefixLength, networks, routes: routes.map(cidr) });

describe("subnets: CIDR blocks", function () {
  it("parses a block and prints it back", function () {
    assert.deepEqual(parseCidr("172.16.0.0/16"), { base: 0xac100000, prefixLength: 16 });
    assert.deepEqual(parseCidr(" 10.0.0.0/8 "), { base: 0x0a000000, prefixLength: 8 });
    assert.equal(formatCidr(parseCidr("255.255.255.252/30") as never), "255.255.255.252/30");
    assert.equal(formatAddress(0xffffffff), "255.255.255.255");
    assert.equal(formatAddress(0), "0.0.0.0");
  });

  it("fails when the text is not an IPv4 block, or not written by its first address", function () {
    const notBlock = { problem: 'an IPv4 block in CIDR notation, e.g. "172.16.0.0/16"' };
    for (const bad of [
      "172.16.0.0",
      "172.16/16",
      "172.16.0.0/33",
      "256.1.0.0/16",
      "010.0.0.0/8",
      "fd00::/64",
      "172.16.0.0/-1",
      "",
    ])
      assert.deepEqual(parseCidr(bad), notBlock, bad);
    assert.deepEqual(parseCidr("172.16.5.0/16"), {
      problem: 'the block\'s first address: "172.16.0.0/16" (not 172.16.5.0/16)',
    });
    assert.throws(() => cidr("nope"), { message: 'not an IPv4 block in CIDR notation, e.g. "172.16.0.0/16": "nope"' });
  });

  it("reads the block an engine lists by an address inside it", function () {
    assert.deepEqual(blockOf("10.1.2.3/24"), { base: 0x0a010200, prefixLength: 24, address: 0x0a010203 });
    assert.equal(blockOf("fd00::/64"), undefined);
  });

  it("counts and lists a pool's subnets, and tells overlap from adjacency", function () {
    assert.equal(subnetCount(POOL, 26), 1024);
    assert.equal(subnetCount(POOL, 16), 1);
    assert.equal(subnetCount(POOL, 12), 0);
    assert.equal(formatCidr(subnetAt(POOL, 26, 0)), "172.16.0.0/26");
    assert.equal(formatCidr(subnetAt(POOL, 26, 5)), "172.16.1.64/26");
    assert.equal(formatCidr(subnetAt(POOL, 26, 1023)), "172.16.255.192/26");
    assert.equal(overlaps(cidr("172.16.0.0/26"), cidr("172.16.0.64/26")), false);
    assert.equal(overlaps(cidr("172.16.0.0/26"), cidr("172.16.0.63/32")), true);
    assert.equal(overlaps(cidr("172.0.0.0/8"), cidr("172.16.3.0/24")), true);
    assert.equal(isSubnetOf(cidr("172.16.3.0/26"), POOL, 26), true);
    assert.equal(isSubnetOf(cidr("172.16.3.0/27"), POOL, 26), false);
    assert.equal(isSubnetOf(cidr("172.17.0.0/26"), POOL, 26), false);
  });
});

describe("subnets: the pick", function () {
  it("starts where a hash of the network's name says and strides by an odd step from the same hash", function () {
    // sha256("berth-test-net") = e6cdce60 f627da8b…: 0xe6cdce60 % 1024 = 608, (0xf627da8b % 1024) | 1 = 651.
    assert.deepEqual(probeOrder("berth-test-net", 1024), { start: 608, stride: 651 });
    assert.deepEqual(probeOrder("berth-test-net", 1), { start: 0, stride: 1 });
    assert.deepEqual(probeOrder("berth-test-pr-42-net", 1024), { start: 23, stride: 561 });
  });

  it("takes the first subnet in that order on an empty engine", function () {
    assert.deepEqual(pick([]), { kind: "picked", subnet: "172.16.152.0/26", inUse: 0, total: 1024 });
  });

  it("skips subnets that overlap a network or a route, and IPv6 subnets block nothing", function () {
    // 608 = 172.16.152.0/26 is taken by a network, 608 + 651 = 235 (172.16.58.192/26) by a route inside it.
    const networks = [
      { name: "bridge", subnets: ["172.17.0.0/16"] },
      { name: "other", subnets: ["172.16.152.0/26", "fd00:1::/64"] },
    ];
    assert.deepEqual(pick(networks, ["172.16.58.200/29"]), {
      kind: "picked",
      subnet: "172.16.221.128/26",
      inUse: 2,
      total: 1024,
    });
    // A larger network blocks every subnet it covers.
    assert.deepEqual(pick([{ name: "wide", subnets: ["172.16.128.0/17"] }]), {
      kind: "picked",
      subnet: "172.16.58.192/26",
      inUse: 512,
      total: 1024,
    });
  });

  it("answers the subnet of a network that already has the name (a killed run's), wherever it is", function () {
    assert.deepEqual(pick([{ name: "berth-test-net", subnets: ["fd00:1::/64", "192.168.40.0/20"] }]), {
      kind: "existing",
      subnet: "192.168.32.0/20",
    });
    // Without an IPv4 subnet it is treated like any other network: a fresh pick.
    assert.deepEqual(pick([{ name: "berth-test-net", subnets: [] }]), {
      kind: "picked",
      subnet: "172.16.152.0/26",
      inUse: 0,
      total: 1024,
    });
  });

  it("merges what is taken into ranges of subnet indexes", function () {
    const taken = [
      "172.16.0.0/25",
      "172.16.0.64/26",
      "172.16.1.0/32",
      "172.16.255.255/32",
      "10.0.0.0/8",
      "172.0.0.0/12",
      "172.16.0.0/12",
    ].map(cidr);
    assert.deepEqual(blockedRanges(POOL, 26, taken.slice(0, 4)), [
      [0, 2],
      [4, 5],
      [1023, 1024],
    ]);
    assert.deepEqual(blockedRanges(POOL, 26, taken.slice(4, 6)), []);
    assert.deepEqual(blockedRanges(POOL, 26, taken.slice(4)), [[0, 1024]]);
  });

  it("fails when the pool is exhausted, naming both settings and how many subnets are in use", function () {
    const small = cidr("172.16.255.0/24");
    const networks = ["172.16.255.0/26", "172.16.255.64/26", "172.16.255.128/26"].map((s, i) => ({
      name: `n${i}`,
      subnets: [s],
    }));
    const exhausted = pick(networks, ["172.16.255.192/28"], "berth-test-net", small, 26);
    const message =
      "no free /26 subnet in berth:network.subnetPool 172.16.255.0/24: 4 of its 4 overlap the engine's networks or the host's routes. " +
      "Give berth:network.subnetPool a larger or another block, or berth:network.subnetPrefixLength a larger number (smaller subnets), " +
      "or remove networks no stack uses (docker network ls --filter label=berth.project)";
    assert.deepEqual(exhausted, { kind: "exhausted", inUse: 4, total: 4, message });
    assert.equal(exhaustedMessage(small, 26, 4, 4), message);
    // One subnet left: it is found whatever the order.
    assert.deepEqual(pick(networks, [], "berth-test-net", small, 26), {
      kind: "picked",
      subnet: "172.16.255.192/26",
      inUse: 3,
      total: 4,
    });
  });
});

describe("subnets: the host's routes", function () {
  it("reads /proc/net/route (little-endian hex), leaving the default route out", function () {
    const text = [
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
      "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
      "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
      "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
      "tun0\t0A0A0A0A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0",
      "",
    ].join("\n");
    assert.deepEqual(parseProcRoutes(text).map(formatCidr), ["172.17.0.0/16", "192.0.2.0/24", "10.10.10.10/32"]);
    assert.deepEqual(
      parseProcRoutes("Iface\tDestination\nbe0\tAC110000\t00000000\t0001\t0\t0\t0\tFFFF0000\n", false).map(formatCidr),
      ["172.17.0.0/16"],
    );
  });

  it("counts routes only for an engine on this machine", function () {
    assert.equal(isLocalEngine({}), true);
    assert.equal(isLocalEngine({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" }), true);
    assert.equal(isLocalEngine({ DOCKER_HOST: "tcp://127.0.0.1:2375" }), true);
    assert.equal(isLocalEngine({ DOCKER_HOST: "tcp://10.0.0.5:2375" }), false);
    assert.equal(isLocalEngine({ DOCKER_HOST: "ssh://ci@build-7" }), false);
  });
});

describe("subnets: the pick-subnet command line", function () {
  it("is built from the network, pool and prefix length, and parsed back", function () {
    const line = pickSubnetCommandLine("berth-test-net", "172.16.0.0/16", 26);
    assert.equal(
      line,
      "node dist/tools/pick-subnet.js --network berth-test-net --pool 172.16.0.0/16 --prefix-length 26",
    );
    assert.deepEqual(parsePickSubnetArgs(line.split(" ").slice(2)), {
      kind: "ok",
      value: {
        network: "berth-test-net",
        pool: { base: 0xac100000, prefixLength: 16 },
        poolText: "172.16.0.0/16",
        prefixLength: 26,
      },
    });
    // Under mocks the step answers its own pick on an empty engine; other commands answer nothing.
    assert.equal(pickedSubnet(line), "172.16.152.0/26");
    assert.equal(pickedSubnet("node dist/gate/cli.js --name data"), undefined);
  });

  it("fails with exit 2 and one line naming the flag", function () {
    const parse = (...argv: string[]) => parsePickSubnetArgs(argv);
    assert.deepEqual(parse("--network", "n", "--pool", "172.16.0.1/16", "--prefix-length", "26"), {
      kind: "exit",
      code: 2,
      message: `berth pick-subnet: option '--pool <cidr>' argument '172.16.0.1/16' is invalid. expected the block's first address: "172.16.0.0/16" (not 172.16.0.1/16)`,
    });
    assert.deepEqual(parse("--network", "n", "--pool", "172.16.0.0/16", "--prefix-length", "12"), {
      kind: "exit",
      code: 2,
      message:
        "berth pick-subnet: --prefix-length 12: expected 16 or more: a stack's subnet lies inside network.subnetPool (172.16.0.0/16)",
    });
    assert.deepEqual(parse("--network", "n", "--pool", "172.16.0.0/16", "--prefix-length", "30"), {
      kind: "exit",
      code: 2,
      message:
        "berth pick-subnet: option '--prefix-length <n>' argument '30' is invalid. expected a whole number from 1 to 29",
    });
    assert.deepEqual(parse("--network", "-bad", "--pool", "172.16.0.0/16", "--prefix-length", "26").kind, "exit");
  });
});

describe("engine mode: the network create body", function () {
  it("passes the subnet as the provider does (IPAM driver default, Config[].Subnet)", function () {
    const labels = [{ label: "berth.stack", value: "t" }];
    assert.deepEqual(
      networkCreateOptions({
        name: "berth-t-net",
        driver: "bridge",
        internal: false,
        attachable: false,
        labels,
        ipamConfigs: [{ subnet: "172.16.152.0/26" }],
      }),
      {
        Name: "berth-t-net",
        Driver: "bridge",
        Internal: false,
        Attachable: false,
        CheckDuplicate: true,
        Labels: { "berth.stack": "t" },
        IPAM: { Driver: "default", Config: [{ Subnet: "172.16.152.0/26" }] },
      },
    );
    // An overlay (no ipamConfigs) leaves IPAM to the engine.
    assert.deepEqual(networkCreateOptions({ name: "o", driver: "overlay", attachable: true }), {
      Name: "o",
      Driver: "overlay",
      Internal: false,
      Attachable: true,
      CheckDuplicate: true,
      Labels: {},
    });
  });

  it("fails when given an input it does not implement", function () {
    assert.throws(() => networkCreateOptions({ name: "n", ipv6: true, options: {} }), {
      message: "engine mode does not implement Network inputs: ipv6, options",
    });
  });
});

describe("subnets: claims of picks in progress", function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "berth-claims-test-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("lets one network claim a subnet, the same network again, and no other until the claim is stale", function () {
    let now = 1_000_000;
    const claims = fileClaims(dir, "unix:///var/run/docker.sock", () => now);
    assert.equal(claims.claim("172.16.152.0/26", "berth-a-net"), true);
    assert.equal(claims.claim("172.16.152.0/26", "berth-a-net"), true);
    assert.equal(claims.claim("172.16.152.0/26", "berth-b-net"), false);
    const [file] = readdirSync(dir);
    assert.match(file, /^[0-9a-f]{12}-172-16-152-0-26$/);
    assert.equal(readFileSync(join(dir, file), "utf8"), "berth-a-net");
    // Another engine's claims are its own.
    assert.equal(fileClaims(dir, "tcp://10.0.0.5:2375", () => now).claim("172.16.152.0/26", "berth-b-net"), true);
    // Past the TTL (by the file's mtime) the claim is stale: taken over.
    now = Date.now();
    utimesSync(join(dir, file), (now - CLAIM_TTL_MS - 1000) / 1000, (now - CLAIM_TTL_MS - 1000) / 1000);
    assert.equal(claims.claim("172.16.152.0/26", "berth-b-net"), true);
    assert.equal(readFileSync(join(dir, file), "utf8"), "berth-b-net");
  });

  it("claims nothing and blocks nothing where the directory cannot be made", function () {
    // A file where the directory should be: mkdir fails (ENOTDIR).
    writeFileSync(join(dir, "file"), "");
    const claims = fileClaims(join(dir, "file", "claims"), "e");
    assert.equal(claims.claim("172.16.152.0/26", "berth-a-net"), true);
    assert.equal(claims.claim("172.16.152.0/26", "berth-b-net"), true);
  });

  it("makes a network picking while another's claim is fresh skip that subnet, and keep its own on a rerun", async function () {
    const engine = { networks: async () => [] } as unknown as EngineClient;
    const claims = fileClaims(dir, "e");
    const o = { network: "berth-test-net", pool: POOL, poolText: "172.16.0.0/16", prefixLength: 26 };
    const env = { DOCKER_HOST: "tcp://10.0.0.5:2375" };
    // Another stack's pick in progress holds this network's first choice (608): it takes the next (235).
    assert.equal(claims.claim("172.16.152.0/26", "berth-other-net"), true);
    const picked = { kind: "picked", subnet: "172.16.58.192/26", inUse: 1, total: 1024 };
    assert.deepEqual(await pickOnEngine(engine, o, env, claims), picked);
    assert.deepEqual(await pickOnEngine(engine, o, env, claims), picked);
  });
});
