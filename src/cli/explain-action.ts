import { readFileSync } from "node:fs";
import { ConfigError } from "../config/errors.js";
import { explain } from "../explain/explain.js";
import { render, exitCodeFor, type Format, type FailOn } from "../report/index.js";
import { wantsColor } from "./color.js";
import type { Output } from "./output.js";
import { cliOptionName } from "./option-flags.js";

export interface ExplainFlags {
  format: Format;
  json?: boolean;
  output?: string;
  failOn: FailOn;
  peerConnection?: string;
}

function readInput(file: string): string {
  try {
    return file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read '${file}' (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

/** What `explain` does once its flags parsed. */
export function runExplain(out: Output, setExit: (code: number) => void, file: string, flags: ExplainFlags): void {
  const format: Format = flags.json ? "json" : flags.format;
  const { report } = explain(readInput(file), { failOn: flags.failOn, peerConnection: flags.peerConnection, optionName: cliOptionName });
  const text = render(report, format, { color: !flags.output && wantsColor(process.stdout), optionName: cliOptionName });
  if (flags.output) out.file(flags.output, text);
  else out.stdout(text);
  setExit(exitCodeFor(report));
}
