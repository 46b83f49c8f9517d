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
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const ENTRIES = [
  { name: "berth", dts: "dist/components/index.d.ts" },
  { name: "berth-testing", dts: "dist/testing/index.d.ts" },
  { name: "berth-testing-client", dts: "dist/testing/client/index.d.ts" },
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

function extract(entry) {
  // Loaded only to extract: --check compares files the build made (API Extractor takes ~5 s to load).
  const { Extractor, ExtractorConfig, ExtractorLogLevel } = require("@microsoft/api-extractor");
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: path.join(root, entry.dts),
      compiler: { tsconfigFilePath: path.join(root, "tsconfig.build.json") },
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
      `API Extractor failed on ${entry.dts} (${result.errorCount} errors above): every type a public signature uses must be exported by the entry point, or kept out of the signature`,
    );
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
