import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { check } from "../check.js";
import { ConfigError } from "../config/errors.js";
import { resolveIceServers, secretsOf } from "../config/ice-servers.js";
import { DEFAULT_TIMEOUT_MS } from "../config/defaults.js";
import { FORMATS, render, exitCodeFor, type Format, type FailOn } from "../report/index.js";
import { wantsColor } from "./color.js";
import { createProgress } from "./progress.js";
import { collect, positiveInt } from "./parsers.js";
import type { Output } from "./output.js";

interface CheckFlags {
  stun: string[];
  turn: string[];
  username?: string;
  credential?: string;
  iceServers?: string;
  timeout: number;
  format: Format;
  json?: boolean;
  output?: string;
  failOn: FailOn;
  gather: boolean;
  nat: boolean;
  ca?: string;
}

function readCa(path: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`--ca: cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

export function checkCommand(out: Output, setExit: (code: number) => void): Command {
  return new Command("check")
    .description("test every STUN/TURN server and transport, gather candidates, and diagnose why ICE would stall")
    .option("--stun <url>", "STUN URL to test (repeatable)", collect, [])
    .option("--turn <url>", "TURN URL to test (repeatable); needs --username and --credential", collect, [])
    .option("--username <name>", "TURN username for the --turn URLs")
    .option("--credential <secret>", "TURN credential for the --turn URLs (never printed)")
    .option("--ice-servers <json|@file>", "RTCIceServer list as JSON, or @path to a JSON file; also {\"iceServers\": [...]}")
    .option("--timeout <ms>", "bound for each probe, in milliseconds", positiveInt("--timeout"), DEFAULT_TIMEOUT_MS)
    .addOption(new Option("--format <format>", "report format").choices(FORMATS).default("human"))
    .option("--json", "same as --format json")
    .option("--output <file>", "write the report to a file instead of stdout")
    .addOption(new Option("--fail-on <severity>", "exit 1 when a finding is at least this severe").choices(["error", "warning", "never"]).default("error"))
    .option("--no-gather", "skip gathering through a browser-like WebRTC stack (werift)")
    .option("--no-nat", "skip NAT behaviour discovery")
    .option("--ca <file>", "extra trusted CA certificate (PEM) for turns: servers with a private CA")
    .addHelpText(
      "after",
      "\nWith no server given, a built-in list of public STUN servers is used. RTC_DOCTOR_ICE_SERVERS may hold the same JSON as --ice-servers.\n" +
        "Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or configuration error.",
    )
    .action(async (flags: CheckFlags) => {
      const format: Format = flags.json ? "json" : flags.format;
      // Resolve (and so validate) everything before the first packet, and learn the secrets to scrub.
      const resolved = resolveIceServers({ ...flags, env: process.env });
      const safe = out.withSecrets(secretsOf(resolved.targets));
      const tlsCa = readCa(flags.ca);
      const progress = createProgress(format === "human" && !flags.output && process.stderr.isTTY === true);
      let report;
      try {
        report = await check({
          resolved,
          timeoutMs: flags.timeout,
          tlsCa,
          gather: flags.gather,
          nat: flags.nat,
          failOn: flags.failOn,
          onProgress: progress.onProgress,
        });
      } finally {
        progress.stop();
      }
      const text = render(report, format, { color: !flags.output && wantsColor(process.stdout) });
      if (flags.output) safe.file(flags.output, text);
      else safe.stdout(text);
      setExit(exitCodeFor(report));
    });
}
