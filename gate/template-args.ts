// The command line of build-template (run by the Postgres component for a throw-away Postgres).
import { Command } from "commander";
import { ParseResult, parseWith } from "./usage";

export const TEMPLATE_TOOL = "berth build-template";

export interface TemplateOptions {
  /** The build context: components/postgres/template of the package. */
  context: string;
  /** The image name to build (and to skip building when the engine has it). */
  tag: string;
  /** The Postgres image the template is built FROM: an id or a local reference. */
  base: string;
  user: string;
  database: string;
}

export function parseTemplateArgs(argv: string[]): ParseResult<TemplateOptions> {
  const program = new Command(TEMPLATE_TOOL)
    .description("Builds berth's Postgres template image unless the engine has it; no intermediate container stays.")
    .requiredOption("--context <dir>", "the template's build context (components/postgres/template)")
    .requiredOption("--tag <name:tag>", "the image to build")
    .requiredOption("--base <image>", "the Postgres image to build from (id or local reference)")
    .requiredOption("--user <role>", "POSTGRES_USER the template is made for")
    .requiredOption("--database <db>", "POSTGRES_DB the template is made for");
  return parseWith(program, argv, (o) => ({ context: o.context as string, tag: o.tag as string, base: o.base as string, user: o.user as string, database: o.database as string }));
}
