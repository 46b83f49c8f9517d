// The command line of build-template (run by the Postgres component for a throw-away Postgres).
import { Command } from "commander";
import { ParseResult, parseWith, UsageError } from "../gate/usage";

export const TEMPLATE_TOOL = "berth build-template";

export interface TemplateOptions {
  /** The scripts' directory: components/postgres/template of the package. */
  context: string;
  /** The template's volume and helper container (components/postgres/template.ts templateName). */
  name: string;
  /** The Postgres image the template is made with: an id or a local reference. */
  base: string;
  user: string;
  database: string;
  /** "uid:gid" of the image's postgres user, which the helper runs as. */
  runAs: string;
}

export function parseTemplateArgs(argv: string[]): ParseResult<TemplateOptions> {
  const program = new Command(TEMPLATE_TOOL)
    .description(
      "Starts a helper container that makes berth's Postgres template on a shared volume, unless the engine has it or is making it; prunes old templates.",
    )
    .requiredOption("--context <dir>", "the template's scripts (components/postgres/template)")
    .requiredOption("--name <name>", "the template's volume and helper container")
    .requiredOption("--base <image>", "the Postgres image to make it with (id or local reference)")
    .requiredOption("--user <role>", "POSTGRES_USER the template is made for")
    .requiredOption("--database <db>", "POSTGRES_DB the template is made for")
    .requiredOption("--run-as <uid:gid>", "the image's postgres user");
  return parseWith(program, argv, (o) => {
    const runAs = o.runAs as string;
    if (!/^[0-9]+(:[0-9]+)?$/.test(runAs)) throw new UsageError(`--run-as must be a numeric "uid:gid"; got "${runAs}"`);
    return {
      context: o.context as string,
      name: o.name as string,
      base: o.base as string,
      user: o.user as string,
      database: o.database as string,
      runAs,
    };
  });
}
