// What a change to each input of the resources berth declares does under `pulumi up`: update the
// resource in place or replace it. Read from the providers' own source (cited per resource below),
// for the provider versions pinned in PROVIDERS; engine mode's convergence and `npm run plan` both
// predict operations from it. tests/unit/provider-semantics.test.ts fails when package-lock.json
// pins another version, or when an SDK's Args gain or lose an input, until the table is re-read.
//
// How the bridged (Terraform SDKv2) resources were read: the bridge takes the replace decision
// from Terraform's own plan (pulumi-terraform-bridge pkg/tfbridge/provider.go Diff:
// `diff.RequiresNew()`, the detailed diff forced to agree), so an attribute with `ForceNew: true`
// replaces. For nested blocks the SDK's diff (helper/schema/schema.go: diffList, diffSet,
// finalizeDiff) decides per sub-field: a list block's sub-field replaces only if that sub-field is
// ForceNew (the block's own ForceNew applies to its element count); a set block re-keys a changed
// element, so every sub-field of the old and the new element is diffed, and the change replaces if
// the element holds a non-empty ForceNew sub-field. Attributes that are not ForceNew are updated:
// the provider's Update either applies them to the live object ("applied") or does nothing with
// them, so the new value is only recorded in state ("recorded") and the live object keeps the old
// one until it is replaced. Set-typed inputs (`unordered`) compare as sets: reordering is no
// change. Removing an Optional+Computed input (labels, envs, hostname, ...) from the program shows
// no diff at all in the provider; this table describes value changes.

/** What `pulumi up` does to a resource. */
export type Operation = "same" | "update" | "replace";

/**
 * What an in-place update does to the live object: the provider applies it ("applied"), only
 * records it in state ("recorded": the live object keeps the old value until it is replaced; a
 * value read at delete, like destroyGraceSeconds, takes effect at the next delete), or, for a
 * command, runs its `update` command, or `create` when there is none ("rerun").
 */
export type UpdateEffect = "applied" | "recorded" | "rerun";

/** An input whose every change does the same thing. */
export interface UniformInput {
  op: "update" | "replace";
  /** For op "update": what the update does to the live object. */
  effect?: UpdateEffect;
  note?: string;
}

/**
 * A nested input whose sub-fields differ. A changed sub-path (dot-separated, camelCase as in the
 * SDK's input types, list indices ignored) takes the operation of the longest listed path it is at
 * or under, else `other`; a coarser path (the input's name alone, or a prefix of a listed path)
 * takes the worst operation any sub-field under it can cause.
 */
export interface NestedInput {
  nested: { paths: Record<string, Operation>; other: Operation };
  effect?: UpdateEffect;
  note?: string;
}

export type InputRule = UniformInput | NestedInput;

export interface ResourceSemantics {
  /** npm package whose SDK declares the resource (its version is in PROVIDERS). */
  package: keyof typeof PROVIDERS;
  /** The SDK's declaration file (under node_modules/<package>/) and its Args interface. */
  sdk: { file: string; args: string };
  /** Source files the rows were read from (repository@ref:path). */
  sources: string[];
  /** The provider replaces this type delete-first (not Pulumi's default create-first). */
  deleteBeforeReplace: boolean;
  /** Inputs the provider holds as sets (Terraform TypeSet): reordering their elements is no change. */
  unordered: string[];
  inputs: Record<string, InputRule>;
}

/**
 * The versions the table was read for, and the snapshots read. The fetched pulumi-docker and
 * pulumi-random snapshots end before the 5.2.0 and 4.21.2 tags: their newest commits were read,
 * and the installed SDKs' Args compared with those commits' SDKs (docker 5.2.0 adds
 * `deviceCgroupRules` and `uploads[].owner/group`; random's Args are identical).
 */
export const PROVIDERS = {
  "@pulumi/docker": {
    version: "5.2.0",
    read: [
      "pulumi/pulumi-docker@237b7899 (master 2026-08-14; newest snapshot, tag v5.2.0 absent)",
      "kreuzwerker/terraform-provider-docker@v4.5.0 (5074970c, pulumi-docker's upstream submodule)",
      "hashicorp/terraform-plugin-sdk/v2 helper/schema/schema.go (diff rules)",
      "pulumi/pulumi-terraform-bridge@59de6c66 (master 2026-08-05; pulumi-docker pins v3.137.0):pkg/tfbridge/provider.go Diff",
    ],
  },
  "@pulumi/command": {
    version: "1.2.1",
    read: ["pulumi/pulumi-command@v1.2.1 (7f3eb6f3)", "pulumi/pulumi-go-provider@v1.3.0 (infer/resource.go Diff)"],
  },
  "@pulumi/random": {
    version: "4.21.2",
    read: [
      "pulumi/pulumi-random@f64d8726 (master 2026-08-14; newest snapshot, tag v4.21.2 absent)",
      "hashicorp/terraform-provider-random@v3.9.0 (f8d869dc, pulumi-random's shim/go.mod)",
    ],
  },
} as const;

/**
 * Rows not read from source: the fetched snapshots predate them. Each says how it was modelled;
 * re-read them when a snapshot holds the code (the unit test pins this list).
 */
export const UNREAD_ROWS: Record<string, string[]> = {
  "docker:index/container:Container": ["deviceCgroupRules"],
};

const replace: UniformInput = { op: "replace" };
const applied: UniformInput = { op: "update", effect: "applied" };
const recorded: UniformInput = { op: "update", effect: "recorded" };
const rerun: UniformInput = { op: "update", effect: "rerun" };

const KREUZWERKER = "kreuzwerker/terraform-provider-docker@v4.5.0:internal/provider";

export const SEMANTICS: Record<string, ResourceSemantics> = {
  // Schema: resource_docker_container.go (ForceNew per attribute; env, labels, networks_advanced,
  // ports... are ForceNew sets/lists). Update: resource_docker_container_funcs.go
  // resourceDockerContainerUpdate applies restart, max_retry_count, cpu_shares, memory,
  // memory_reservation, cpu_set, memory_swap and the device_*_bps/iops sets through
  // ContainerUpdate, and starts the container when must_run turns true; every other updatable
  // attribute is recorded only. Read (same file) reads healthcheck and tmpfs back from the live
  // container, so after a recorded change a refresh shows the old value again.
  // DeleteBeforeReplace: pulumi-docker provider/resources.go ("docker_container").
  "docker:index/container:Container": {
    package: "@pulumi/docker",
    sdk: { file: "container.d.ts", args: "ContainerArgs" },
    sources: [
      `${KREUZWERKER}/resource_docker_container.go`,
      `${KREUZWERKER}/resource_docker_container_funcs.go`,
      `${KREUZWERKER}/helpers.go`,
      "pulumi/pulumi-docker@237b7899:provider/resources.go",
    ],
    deleteBeforeReplace: true,
    unordered: [
      "capabilities",
      "deviceReadBps",
      "deviceReadIops",
      "deviceRequests",
      "deviceWriteBps",
      "deviceWriteIops",
      "devices",
      "dns",
      "dnsOpts",
      "dnsSearches",
      "envs",
      "groupAdds",
      "hosts",
      "labels",
      "mounts",
      "networksAdvanced",
      "securityOpts",
      "ulimits",
      "uploads",
      "volumes",
    ],
    inputs: {
      attach: recorded,
      capabilities: replace,
      cgroupParent: replace,
      cgroupnsMode: replace,
      command: replace,
      containerReadRefreshTimeoutMilliseconds: recorded,
      cpuPeriod: recorded,
      cpuQuota: recorded,
      cpuSet: applied,
      cpuShares: applied,
      cpus: replace,
      destroyGraceSeconds: { ...recorded, note: "read when the container is deleted" },
      deviceCgroupRules: {
        op: "replace",
        note: "not in the fetched source (added upstream after v4.5.0); modelled as ForceNew like every container attribute the Update function does not apply (v4.5.0's list has no device_cgroup_rules)",
      },
      deviceReadBps: applied,
      deviceReadIops: applied,
      deviceRequests: replace,
      deviceWriteBps: applied,
      deviceWriteIops: applied,
      devices: replace,
      dns: replace,
      dnsOpts: replace,
      dnsSearches: replace,
      domainname: replace,
      entrypoints: replace,
      envs: replace,
      gpus: replace,
      groupAdds: replace,
      healthcheck: {
        ...recorded,
        note: "not ForceNew and not applied by Update: berth replaces on it with replaceOnChanges",
      },
      hostname: replace,
      hosts: replace,
      image: replace,
      init: recorded,
      ipcMode: replace,
      labels: { ...replace, note: "a set of label/value blocks whose fields are ForceNew (helpers.go labelSchema)" },
      logDriver: replace,
      logOpts: replace,
      logs: recorded,
      maxRetryCount: applied,
      memory: applied,
      memoryReservation: applied,
      memorySwap: applied,
      mounts: replace,
      mustRun: { ...applied, note: "false → true starts the container; true → false is recorded only" },
      name: replace,
      networkMode: replace,
      networksAdvanced: replace,
      pidMode: replace,
      platform: replace,
      ports: replace,
      privileged: replace,
      publishAllPorts: replace,
      readOnly: replace,
      removeVolumes: { ...recorded, note: "read when the container is deleted" },
      restart: applied,
      rm: recorded,
      runtime: replace,
      securityOpts: replace,
      shmSize: replace,
      start: recorded,
      stdinOpen: replace,
      stopSignal: replace,
      stopTimeout: replace,
      storageOpts: replace,
      sysctls: replace,
      tmpfs: { ...recorded, note: "not ForceNew and not applied by Update: the live mounts keep their old options" },
      tty: replace,
      ulimits: replace,
      uploads: replace,
      user: { ...replace, note: 'a change to "" (Docker\'s default) is no change (DiffSuppressFunc)' },
      usernsMode: replace,
      volumes: replace,
      wait: recorded,
      waitTimeout: recorded,
      workingDir: { ...replace, note: 'a change to "" (Docker\'s default) is no change (DiffSuppressFunc)' },
    },
  },

  // resource_docker_network.go: no Update function; every argument is ForceNew.
  "docker:index/network:Network": {
    package: "@pulumi/docker",
    sdk: { file: "network.d.ts", args: "NetworkArgs" },
    sources: [`${KREUZWERKER}/resource_docker_network.go`],
    deleteBeforeReplace: false,
    unordered: ["ipamConfigs", "labels"],
    inputs: {
      attachable: replace,
      driver: replace,
      ingress: replace,
      internal: replace,
      ipamConfigs: replace,
      ipamDriver: replace,
      ipamOptions: replace,
      ipv6: replace,
      labels: replace,
      name: replace,
      options: replace,
    },
  },

  // resource_docker_volume.go: name, driver, driver_opts, labels ForceNew; `cluster` is a list
  // block whose fields are ForceNew except `availability`, which resourceDockerVolumeUpdate applies.
  "docker:index/volume:Volume": {
    package: "@pulumi/docker",
    sdk: { file: "volume.d.ts", args: "VolumeArgs" },
    sources: [`${KREUZWERKER}/resource_docker_volume.go`],
    deleteBeforeReplace: false,
    unordered: ["labels"],
    inputs: {
      cluster: { nested: { paths: { availability: "update" }, other: "replace" }, effect: "applied" },
      driver: replace,
      driverOpts: replace,
      labels: replace,
      name: replace,
    },
  },

  // docker_image upstream (pulumi-docker resources.go maps it to RemoteImage).
  // resource_docker_image.go: name, pull_triggers, triggers, platform ForceNew; keep_locally and
  // force_remove are read at delete; `build` is a set whose `context` and most fields are ForceNew,
  // so any change to it replaces. resource_docker_image_funcs.go resourceDockerImageUpdate only
  // re-reads the image.
  "docker:index/remoteImage:RemoteImage": {
    package: "@pulumi/docker",
    sdk: { file: "remoteImage.d.ts", args: "RemoteImageArgs" },
    sources: [`${KREUZWERKER}/resource_docker_image.go`, `${KREUZWERKER}/resource_docker_image_funcs.go`],
    deleteBeforeReplace: false,
    unordered: ["build", "pullTriggers"],
    inputs: {
      build: replace,
      forceRemove: { ...recorded, note: "read when the image is deleted" },
      keepLocally: { ...recorded, note: "read when the image is deleted" },
      name: replace,
      platform: replace,
      pullTriggers: replace,
      triggers: replace,
    },
  },

  // resource_docker_service.go: auth and name ForceNew; labels use the updatable label schema;
  // `mode` is ForceNew only on its element count, which never changes (Optional+Computed, read back
  // from the service), so a replicas change updates. Inside task_spec the ForceNew sub-fields are
  // container_spec.labels (labelSchema), .hosts, .sysctl, mounts' volume_options.labels, and the
  // networks_advanced set (id/name/aliases ForceNew). resource_docker_service_funcs.go
  // resourceDockerServiceUpdate sends the whole spec with ServiceUpdate.
  "docker:index/service:Service": {
    package: "@pulumi/docker",
    sdk: { file: "service.d.ts", args: "ServiceArgs" },
    sources: [`${KREUZWERKER}/resource_docker_service.go`, `${KREUZWERKER}/resource_docker_service_funcs.go`],
    deleteBeforeReplace: false,
    unordered: ["labels"],
    inputs: {
      auth: replace,
      convergeConfig: { ...applied, note: "how Update waits; the unchanged spec is sent again" },
      endpointSpec: applied,
      labels: applied,
      mode: { ...applied, note: "ForceNew on the block's element count only, which stays 1" },
      name: replace,
      rollbackConfig: applied,
      taskSpec: {
        nested: {
          paths: {
            "containerSpec.labels": "replace",
            "containerSpec.hosts": "replace",
            "containerSpec.sysctl": "replace",
            "containerSpec.mounts.volumeOptions.labels": "replace",
            networksAdvanceds: "replace",
          },
          other: "update",
        },
        effect: "applied",
        note: "mounts is a set: changing any field of a mount that carries volumeOptions.labels replaces",
      },
      updateConfig: applied,
    },
  },

  // Native, not bridged: pulumi-docker provider/provider.go Diff reports every changed input as an
  // update (never a replace) and Update builds and pushes again; a `registry` change counts only
  // when its `server` changes (diffUpdates), so new credentials alone are no change.
  "docker:index/image:Image": {
    package: "@pulumi/docker",
    sdk: { file: "image.d.ts", args: "ImageArgs" },
    sources: ["pulumi/pulumi-docker@237b7899:provider/provider.go"],
    deleteBeforeReplace: false,
    unordered: [],
    inputs: {
      build: applied,
      buildOnPreview: applied,
      imageName: applied,
      registry: { nested: { paths: { server: "update" }, other: "same" }, effect: "applied" },
      skipPush: applied,
    },
  },

  // provider/pkg/provider/common/inputs.go: `triggers` carries replaceOnChanges (the SDK also adds
  // replaceOnChanges ["triggers[*]"], node_modules/@pulumi/command/local/command.js); nothing else
  // does, and local/commandController.go has Update, so pulumi-go-provider v1.3.0's default Diff
  // (infer/resource.go) updates on any other change. Update runs `update`, else `create` again —
  // also when only `delete` or `logging` changed.
  "command:local:Command": {
    package: "@pulumi/command",
    sdk: { file: "local/command.d.ts", args: "CommandArgs" },
    sources: [
      "pulumi/pulumi-command@v1.2.1:provider/pkg/provider/common/inputs.go",
      "pulumi/pulumi-command@v1.2.1:provider/pkg/provider/local/base.go",
      "pulumi/pulumi-command@v1.2.1:provider/pkg/provider/local/commandController.go",
      "pulumi/pulumi-go-provider@v1.3.0:infer/resource.go",
    ],
    deleteBeforeReplace: false,
    unordered: [],
    inputs: {
      addPreviousOutputInEnv: rerun,
      archivePaths: rerun,
      assetPaths: rerun,
      create: rerun,
      delete: { ...rerun, note: "Update runs update/create even when only delete changed" },
      dir: rerun,
      environment: rerun,
      interpreter: rerun,
      logging: rerun,
      stdin: rerun,
      triggers: replace,
      update: rerun,
    },
  },

  // internal/provider/resource_password.go (plugin framework): every argument has a
  // RequiresReplace plan modifier; keepers replaces unless its values are all null, and
  // override_special unless it goes from "" to unset.
  "random:index/randomPassword:RandomPassword": {
    package: "@pulumi/random",
    sdk: { file: "randomPassword.d.ts", args: "RandomPasswordArgs" },
    sources: [
      "hashicorp/terraform-provider-random@v3.9.0:internal/provider/resource_password.go",
      "pulumi/pulumi-random@f64d8726:provider/resources.go",
    ],
    deleteBeforeReplace: false,
    unordered: [],
    inputs: {
      keepers: replace,
      length: replace,
      lower: replace,
      minLower: replace,
      minNumeric: replace,
      minSpecial: replace,
      minUpper: replace,
      number: replace,
      numeric: replace,
      overrideSpecial: replace,
      special: replace,
      upper: replace,
    },
  },
};

const RANK: Record<Operation, number> = { same: 0, update: 1, replace: 2 };
const worst = (ops: Operation[]): Operation => ops.reduce<Operation>((a, b) => (RANK[b] > RANK[a] ? b : a), "same");

/** Property path segments: "a.b[0].c" and "a.b.0.c" → ["a", "b", "0", "c"]. */
export function pathSegments(path: string): string[] {
  return path
    .replace(/\[(\*|\d+|"[^"]*")\]/g, (_, s: string) => `.${s.replace(/"/g, "")}`)
    .split(".")
    .filter((s) => s !== "");
}

const isIndex = (s: string) => s === "*" || /^\d+$/.test(s);

function semanticsOf(type: string): ResourceSemantics {
  const s = SEMANTICS[type];
  if (!s)
    throw new Error(
      `no provider semantics for resource type ${type}: add it to testing/engine/provider-semantics.ts from the provider's source`,
    );
  return s;
}

/** The rule for one top-level input (throws naming the input when the table has no row). */
export function inputRule(type: string, input: string): InputRule {
  const s = semanticsOf(type);
  const rule = s.inputs[input];
  if (!rule)
    throw new Error(
      `${type} has no input "${input}" in the provider semantics table (${s.package} ${PROVIDERS[s.package].version}): re-read the provider's source`,
    );
  return rule;
}

/** What a change at `path` (an input name or a sub-path below it) does, by the provider alone. */
export function pathOperation(type: string, path: string): Operation {
  const [top, ...below] = pathSegments(path).filter((s) => !isIndex(s));
  const rule = inputRule(type, top);
  if (!("nested" in rule)) return rule.op;
  const { paths, other } = rule.nested;
  const rest = below.join(".");
  const listed = Object.keys(paths);
  // The longest listed path the change is at or under decides.
  const at = listed.filter((p) => rest === p || rest.startsWith(`${p}.`)).sort((a, b) => b.length - a.length)[0];
  if (rest !== "" && at !== undefined) return paths[at];
  // Coarser than some listed paths: the worst any sub-field under it can do.
  const under = listed.filter((p) => rest === "" || p.startsWith(`${rest}.`));
  return under.length > 0 ? worst([other, ...under.map((p) => paths[p])]) : other;
}

/** Pulumi's replaceOnChanges match: `pattern` contains `path` (segment by segment, "*" any). */
export function replaceOnChangesMatches(pattern: string, path: string): boolean {
  const p = pathSegments(pattern);
  const d = pathSegments(path);
  return d.length >= p.length && p.every((seg, i) => seg === "*" || seg === d[i]);
}

export interface PredictedOperation {
  operation: Operation;
  /** The changed inputs that force the replacement (by the provider or replaceOnChanges). */
  replacedBy: string[];
  /** Set when operation is "replace": the old resource goes before the new one is created. */
  deleteBeforeReplace?: boolean;
}

/**
 * What `pulumi up` does to a resource of `type` whose inputs at `changedInputs` changed (input
 * names or sub-paths such as "taskSpec.containerSpec.image"), with the resource's own
 * replaceOnChanges and deleteBeforeReplace options. Pure.
 */
export function operationFor(
  type: string,
  changedInputs: string[],
  opts: { replaceOnChanges?: string[]; deleteBeforeReplace?: boolean } = {},
): PredictedOperation {
  const s = semanticsOf(type);
  const ops = changedInputs.map((path) => {
    const byProvider = pathOperation(type, path);
    // The engine applies replaceOnChanges to the provider's reported changes only.
    const forced = byProvider !== "same" && (opts.replaceOnChanges ?? []).some((p) => replaceOnChangesMatches(p, path));
    return { path, op: forced ? ("replace" as const) : byProvider };
  });
  const operation = worst(ops.map((o) => o.op));
  const replacedBy = ops.filter((o) => o.op === "replace").map((o) => o.path);
  if (operation !== "replace") return { operation, replacedBy };
  return { operation, replacedBy, deleteBeforeReplace: s.deleteBeforeReplace || opts.deleteBeforeReplace === true };
}
