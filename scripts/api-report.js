// The package's public surface, checked (after `tsc`, on the .d.ts files in dist/). For each entry
// point (`berth`, `berth/testing`, `berth/testing/client`) API Extractor writes:
// - dist/api/<entry>.d.ts: the entry point's declarations rolled into one file, with only what it
//   exports and what that references (package.json's `types` point here: a team's compiler never
//   reads berth's internal modules, nor the types of berth's own dependencies such as dockerode);
// - dist/api/<entry>.api.md: the report, compared with the committed api/<entry>.api.md.
// `node scripts/api-report.js` (the last step of `npm run build`) extracts and warns on a changed
// surface; `--check` (npm test, after the build) compares the built reports and fails on a change;
// `--update` (`npm run api-report`) extracts and writes the committed reports. Extracting fails on
// a type a public signature uses that its entry point does not export (ae-forgotten-export).
// berth/testing re-exports berth/testing/client: its rollup imports the client's rollup instead of
// declaring the client's names again (asPackage below).
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const ENTRIES = [
  { name: "berth", dts: "dist/components/index.d.ts" },
  { name: "berth-testing-client", dts: "dist/testing/client/index.d.ts" },
  // berth/testing re-exports the client (`export * from "./client"`): its rollup imports the
  // client's declarations from the client's rollup instead of declaring them a second time.
  {
    name: "berth-testing",
    dts: "dist/testing/index.d.ts",
    imports: { entry: "berth/testing/client", index: "dist/testing/client/index.d.ts", rollup: "berth-testing-client" },
  },
];
const mode = process.argv.includes("--update") ? "update" : process.argv.includes("--check") ? "check" : "build";
const relative = (p) => path.relative(root, p);

/** Every finding that is about the surface itself fails the build; the rest stays out of the report. */
const messages = (ExtractorLogLevel) => ({
  compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
  extractorMessageReporting: {
    default: { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: false },
    // A type a public signature uses that the entry point does not export: a team could receive or
    // pass it without a name to write. Export it (when a team types against it) or keep it out of
    // the signature (write the type out instead of `typeof` an internal schema or constant).
    "ae-forgotten-export": { logLevel: ExtractorLogLevel.Error, addToApiReportFile: false },
    "ae-missing-release-tag": { logLevel: ExtractorLogLevel.None },
    "ae-undocumented": { logLevel: ExtractorLogLevel.None },
  },
  tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
});

/**
 * To berth/testing, berth/testing/client is another entry point, not modules of its own to roll
 * up: a class with private members declared in both rollups (StackHandle, PostgresTemplates) would
 * be two types a team's compiler cannot assign to each other, and every name would be documented
 * twice. So berth/testing is extracted with the client as a package of its own:
 * - in the declarations it is extracted from (dist/testing/ outside the client's folder), a module
 *   specifier naming the client's index becomes the entry point's name (only the index: a client
 *   type that reaches berth/testing's surface through one of the client's own modules is declared
 *   again, and fails the extraction as ae-forgotten-export);
 * - that name resolves, for this extraction only, to a declaration file under a node_modules
 *   folder re-exporting the client's rollup: API Extractor rolls up nothing of a module from
 *   node_modules, it imports it;
 * - the rollup then reaches the client's rollup by its file, beside it in dist/api: the package's
 *   own name does not resolve everywhere (under `moduleResolution: node` from a package installed
 *   as a symlink, as `file:` or `npm link` do, it is looked up above berth's real folder).
 * The report keeps the entry point's name: `export * from "berth/testing/client";`.
 */
function asPackage(entry) {
  const { entry: name, index, rollup } = entry.imports;
  const own = path.join(root, path.dirname(entry.dts));
  const folder = path.join(root, path.dirname(index));
  const target = path.join(root, index);
  const specifier = /(\bfrom\s*|\bimport\s*\(\s*)(["'])(\.[^"']*)\2/g;
  for (const file of fs.readdirSync(own, { recursive: true })) {
    const full = path.join(own, file);
    if (!full.endsWith(".d.ts") || full.startsWith(folder + path.sep)) continue;
    const text = fs.readFileSync(full, "utf8");
    const named = text.replace(specifier, (whole, before, quote, spec) => {
      const module = path.resolve(path.dirname(full), spec);
      return [`${module}.d.ts`, path.join(module, "index.d.ts")].includes(target)
        ? `${before}${quote}${name}${quote}`
        : whole;
    });
    if (named !== text) fs.writeFileSync(full, named);
  }
  const stub = path.join(root, "dist", "api", "temp", "node_modules", `${name}.d.ts`);
  fs.mkdirSync(path.dirname(stub), { recursive: true });
  const toRollup = path
    .relative(path.dirname(stub), path.join(root, "dist", "api", rollup))
    .split(path.sep)
    .join("/");
  fs.writeFileSync(stub, `export * from "${toRollup}";\n`);
  return stub;
}

function importRollup(entry) {
  const { entry: name, rollup } = entry.imports;
  const file = path.join(root, "dist", "api", `${entry.name}.d.ts`);
  const text = fs.readFileSync(file, "utf8");
  const imported = text.replaceAll(`'${name}'`, `'./${rollup}'`).replaceAll(`"${name}"`, `"./${rollup}"`);
  if (imported === text) throw new Error(`${relative(file)} does not import ${name}: see asPackage()`);
  fs.writeFileSync(file, imported);
}

function extract(entry) {
  // Loaded only to extract: --check compares files the build made (API Extractor takes ~5 s to load).
  const { Extractor, ExtractorConfig, ExtractorLogLevel } = require("@microsoft/api-extractor");
  const tsconfig = path.join(root, "tsconfig.build.json");
  const compiler = entry.imports
    ? {
        overrideTsconfig: {
          extends: tsconfig,
          compilerOptions: { paths: { [entry.imports.entry]: [asPackage(entry)] } },
        },
      }
    : { tsconfigFilePath: tsconfig };
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: path.join(root, entry.dts),
      compiler,
      apiReport: {
        enabled: true,
        reportFileName: `${entry.name}.api.md`,
        reportFolder: path.join(root, "dist", "api"),
        reportTempFolder: path.join(root, "dist", "api", "temp"),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: true, untrimmedFilePath: path.join(root, "dist", "api", `${entry.name}.d.ts`) },
      tsdocMetadata: { enabled: false },
      messages: messages(ExtractorLogLevel),
    },
    configObjectFullPath: path.join(root, "scripts", "api-report.json"),
    packageJsonFullPath: path.join(root, "package.json"),
  });
  const result = Extractor.invoke(config, {
    localBuild: true,
    showVerboseMessages: false,
    messageCallback: (m) => {
      // Its own notes on the report file (this script compares and says what to do), and the quiet levels.
      if (m.category === "Console" && m.logLevel !== ExtractorLogLevel.Error) m.handled = true;
      if (
        m.logLevel === ExtractorLogLevel.None ||
        m.logLevel === ExtractorLogLevel.Verbose ||
        m.logLevel === ExtractorLogLevel.Info
      )
        m.handled = true;
    },
  });
  if (!result.succeeded)
    throw new Error(
      `API Extractor failed on ${entry.dts} (${result.errorCount} errors above): every type a public signature uses must be exported by the entry point, or kept out of the signature` +
        (entry.imports
          ? ` (a type of ${entry.imports.entry} is imported from its index, ${relative(path.join(root, path.dirname(entry.imports.index)))}, not from one of its modules)`
          : ""),
    );
  if (entry.imports) importRollup(entry);
  return path.join(root, "dist", "api", `${entry.name}.api.md`);
}

const changed = [];
for (const entry of ENTRIES) {
  const built = mode === "check" ? path.join(root, "dist", "api", `${entry.name}.api.md`) : extract(entry);
  if (!fs.existsSync(built)) throw new Error(`${relative(built)} is missing: run \`npm run build\` first`);
  const committed = path.join(root, "api", `${entry.name}.api.md`);
  const text = fs.readFileSync(built, "utf8");
  if (mode === "update") {
    fs.mkdirSync(path.dirname(committed), { recursive: true });
    fs.writeFileSync(committed, text);
    continue;
  }
  const before = fs.existsSync(committed) ? fs.readFileSync(committed, "utf8") : undefined;
  if (before !== text) changed.push({ entry, committed, built, before, text });
}

if (changed.length > 0) {
  const { createTwoFilesPatch } = require("diff");
  for (const c of changed)
    console.error(
      createTwoFilesPatch(relative(c.committed), relative(c.built), c.before ?? "", c.text, "committed", "built"),
    );
  const which = changed.map((c) => relative(c.committed)).join(", ");
  const message =
    `The public API changed: ${which} differ from what the build made (diff above). If the change is intended, ` +
    "run `npm run api-report` and commit the reports (and name anything removed in README's changelog); " +
    "otherwise keep the name out of components/index.ts, testing/index.ts or testing/client/index.ts.";
  if (mode === "check") {
    console.error(message);
    process.exit(1);
  }
  console.warn(`warning: ${message}`);
}
