import { Command, Option } from "commander";
import { FORMATS } from "../report/formats.js";
import { MAX_EXPLAIN_INPUT_BYTES } from "../config/limits.js";
import type { ExplainFlags } from "./explain-action.js";
import type { Output } from "./output.js";

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
        "the dump from chrome://webrtc-internals \"Create Dump\" (.gz as downloaded, or .txt; gzip is recognised by its bytes), or the output of rtc-doctor check --json. " +
        `Any input, standard input (-) included, may be up to ${MAX_EXPLAIN_INPUT_BYTES / (1024 * 1024)} MiB.\n` +
        "Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 unreadable or unrecognised input.",
    )
    .action(async (file: string, flags: ExplainFlags) => {
      // The rules, the SDP parser and the renderers load only when a capture is explained.
      const { runExplain } = await import("./explain-action.js");
      await runExplain(out, setExit, file, flags);
    });
}
