import { explain } from "../explain/explain.js";
import { render, exitCodeFor, type Format, type FailOn } from "../report/index.js";
import { wantsColor } from "./color.js";
import type { Output } from "./output.js";
import { cliOptionName } from "./option-flags.js";
import { readExplainInput } from "./explain-input.js";

export interface ExplainFlags {
  format: Format;
  json?: boolean;
  output?: string;
  failOn: FailOn;
  peerConnection?: string;
}

/** What `explain` does once its flags parsed. */
export async function runExplain(out: Output, setExit: (code: number) => void, file: string, flags: ExplainFlags): Promise<void> {
  const format: Format = flags.json ? "json" : flags.format;
  const { report } = explain(await readExplainInput(file), { failOn: flags.failOn, peerConnection: flags.peerConnection, optionName: cliOptionName });
  const text = render(report, format, { color: !flags.output && wantsColor(process.stdout), optionName: cliOptionName });
  if (flags.output) out.file(flags.output, text);
  else out.stdout(text);
  setExit(exitCodeFor(report));
}
