import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { ConfigError } from "../config/errors.js";
import { explain } from "../explain/explain.js";
import { FORMATS, render, exitCodeFor, type Format, type FailOn } from "../report/index.js";
import { wantsColor } from "./color.js";
import type { Output } from "./output.js";
import { cliOptionName } from "./option-flags.js";

interface ExplainFlags {
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

export function explainCommand(out: Output, setExit: (code: number) => void): Command {
  return new Command("explain")
    .description("diagnose a captured session with no network: an SDP offer/answer, a chrome://webrtc-internals dump, or an rtc-doctor JSON report")
    .argument("<file>", "the capture, or - for standard input")
    .addOption(new Option("--format <format>", "report format").choices(FORMATS).default("human"))
    .option("--json", "same as --format json")
    .option("--output <file>", "write the report to a file instead of stdout")
    .addOption(new Option("--fail-on <severity>", "exit 1 when a finding is at least this severe").choices(["error", "warning", "never"]).default("error"))
    .option("--peer-connection <id>", "webrtc-internals dumps: the peer connection to diagnose (default: the last with a remote description that never connected, else the last with one; the report lists the others)")
    .addHelpText(
      "after",
      "\nInputs: an SDP (taken as the far side's), JSON {type, sdp}, {offer, answer} (offer = our side, answer = the far side) or {local, remote}, " +
        "the JSON from chrome://webrtc-internals \"Create Dump\", or the output of rtc-doctor check --json.\n" +
        "Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 unreadable or unrecognised input.",
    )
    .action((file: string, flags: ExplainFlags) => {
      const format: Format = flags.json ? "json" : flags.format;
      const { report } = explain(readInput(file), { failOn: flags.failOn, peerConnection: flags.peerConnection, optionName: cliOptionName });
      const text = render(report, format, { color: !flags.output && wantsColor(process.stdout), optionName: cliOptionName });
      if (flags.output) out.file(flags.output, text);
      else out.stdout(text);
      setExit(exitCodeFor(report));
    });
}
