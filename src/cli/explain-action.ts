import { readFileSync, statSync } from "node:fs";
import { shownValue } from "../config/json-input.js";
import { MAX_EXPLAIN_INPUT_BYTES } from "../config/limits.js";
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
    if (file !== "-") {
      // Checked before reading: a wrong path can name a disk image.
      const size = statSync(file).size;
      if (size > MAX_EXPLAIN_INPUT_BYTES) throw new ConfigError(`'${shownValue(file)}': ${size} bytes; explain reads at most ${MAX_EXPLAIN_INPUT_BYTES}`);
    }
    return file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read '${shownValue(file)}' (${(error as NodeJS.ErrnoException).code ?? "error"})`);
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
