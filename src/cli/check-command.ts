import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { check } from "../check.js";
import { ConfigError } from "../config/errors.js";
import { cliOptionName } from "./option-flags.js";
import { resolveIceServers, secretsOf } from "../config/ice-servers.js";
import { DEFAULT_TIMEOUT_MS } from "../config/defaults.js";
import { FORMATS, render, exitCodeFor, type Format, type FailOn } from "../report/index.js";
import { wantsColor } from "./color.js";
import { createProgress } from "./progress.js";
import { collect, positiveInt } from "./parsers.js";
import type { Output } from "./output.js";
import { remoteTargetFrom, signalSecrets, SIGNAL_PROTOCOLS, type SignalFlags } from "./signal-flags.js";
import { parseExpectations } from "../config/expectations.js";
import { parseTtl } from "../config/turn-rest.js";
import { loadConfigFile } from "../config/config-file.js";
import { renderSummary } from "../report/human/findings.js";
import { styleFor } from "../report/human/style.js";
import { EXIT_INTERRUPTED } from "../report/exit-code.js";
import { applyConfigFile } from "./apply-config.js";
import { abortOnSigint } from "./interrupt.js";
import { appendStepSummary } from "./step-summary.js";
import { enableWeriftDebug, verboseProgress } from "./verbose.js";

interface CheckFlags extends SignalFlags {
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
  natLifetime?: boolean;
  ca?: string;
  expect: string[];
  config?: string;
  turnSecret?: string;
  turnTtl?: number;
  turnUser?: string;
  quiet?: boolean;
  verbose?: boolean;
  redact?: boolean;
}

function writeReport(out: Output, path: string, text: string): void {
  try {
    out.file(path, text);
  } catch (error) {
    throw new ConfigError(`--output: cannot write '${path}' (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
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
    .option("--turn <url>", "TURN URL to test (repeatable); needs --username and --credential, or --turn-secret", collect, [])
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
    .option("--nat-lifetime", "also measure how long an idle NAT binding survives (slow: up to a few minutes)")
    .option("--ca <file>", "extra trusted CA certificate (PEM) for turns: servers and an https --signal URL with a private CA")
    .option("--signal <url>", "also connect to a far peer through this signalling URL (WHIP endpoint, Pipecat /api/offer or /start)")
    .addOption(new Option("--protocol <protocol>", "signalling protocol of --signal").choices(SIGNAL_PROTOCOLS).default("auto"))
    .option("--token <token>", "bearer token for --signal (never printed; or RTC_DOCTOR_TOKEN)")
    .option("--header <header>", "extra request header for --signal, \"Name: value\" (repeatable; values never printed)", collect, [])
    .option("--trickle", "send the offer at once and trickle candidates, instead of after gathering completes")
    .option("--no-connect", "skip the loopback connections (host, srflx, relay through each TURN URL)")
    .option("--connect-timeout <ms>", "bound on ICE + DTLS + data channel of each connection attempt", positiveInt("--connect-timeout"), 10_000)
    .option("--expect <expectation>", "what must hold, else exit 1 (repeatable): relay, relay:udp|tcp|tls, srflx, nat:!symmetric, nat:<type>, connect:remote, connect:loopback, rtt<MS", collect, [])
    .option("--config <file>", "config file (default: ./rtc-doctor.config.json when present); flags override it")
    .option("--turn-secret <secret>", "TURN REST shared secret (coturn static-auth-secret): mint credentials for the --turn URLs (never printed; or RTC_DOCTOR_TURN_SECRET)")
    .option("--turn-ttl <seconds>", "lifetime of minted TURN REST credentials (default 86400; negative mints expired ones)", (v: string) => parseTtl(v))
    .option("--turn-user <name>", "user part of the minted TURN REST username '<expiry>:<name>' (default rtc-doctor)")
    .option("-q, --quiet", "human format: print only the summary line; no progress on stderr")
    .option("-v, --verbose", "progress lines and werift's debug log on stderr")
    .option("--redact", "replace IP addresses in all output with stable placeholders, for sharing reports")
    .addHelpText(
      "after",
      "\nWith no server given, a built-in list of public STUN servers is used. RTC_DOCTOR_ICE_SERVERS may hold the same JSON as --ice-servers.\n" +
        "Secrets may come from RTC_DOCTOR_TURN_CREDENTIAL, RTC_DOCTOR_TURN_SECRET and RTC_DOCTOR_TOKEN instead of flags.\n" +
        "Exit codes: 0 no finding at or above --fail-on, 1 findings or unmet expectations, 2 usage or configuration error, 130 interrupted by Ctrl-C or SIGTERM (partial report).",
    )
    .action(async (cliFlags: CheckFlags, command: Command) => {
      const file = loadConfigFile({ path: cliFlags.config, cwd: process.cwd(), env: process.env });
      if (file) applyConfigFile(command, file, process.env);
      const flags = command.opts<CheckFlags>();
      if (flags.quiet && flags.verbose) throw new ConfigError("--quiet and --verbose exclude each other");
      const format: Format = flags.json ? "json" : flags.format;
      // Resolve (and so validate) everything before the first packet, and learn the secrets to scrub.
      const expect = parseExpectations(flags.expect);
      const fileServers = file?.iceServers && flags.iceServers === undefined ? [{ servers: file.iceServers, source: "config-file" as const }] : [];
      const listSource = (key: string) => (command.getOptionValueSource(key) === "config" ? ("config-file" as const) : undefined);
      const resolved = resolveIceServers({
        ...flags,
        turnTtlSec: flags.turnTtl,
        env: process.env,
        extra: fileServers,
        listSources: { stun: listSource("stun"), turn: listSource("turn") },
      });
      const remote = remoteTargetFrom(flags, process.env["RTC_DOCTOR_TOKEN"]);
      const signalFlags = { ...flags, token: remote?.token ?? (process.env["RTC_DOCTOR_TOKEN"] || undefined) };
      const safe = out.withSecrets([...secretsOf(resolved.targets), ...(resolved.secrets ?? []), ...signalSecrets(signalFlags)]).withAddressRedaction(flags.redact === true);
      const tlsCa = readCa(flags.ca);
      // Credentials a signalling server hands out are only known mid-run; every write looks them up then.
      const learned: string[] = [];
      const live = () => safe.withSecrets(learned);
      if (flags.verbose) enableWeriftDebug((text) => live().stderr(text), wantsColor(process.stderr));
      const progress = createProgress(format === "human" && !flags.output && !flags.quiet && !flags.verbose && process.stderr.isTTY === true);
      const logProgress = flags.verbose ? verboseProgress((text) => live().stderr(text)) : undefined;
      const interrupt = abortOnSigint(() => process.exit(EXIT_INTERRUPTED));
      let report;
      try {
        report = await check({
          resolved,
          timeoutMs: flags.timeout,
          tlsCa,
          gather: flags.gather,
          nat: flags.nat,
          natLifetime: flags.natLifetime,
          connect: flags.connect,
          remote,
          connectTimeoutMs: flags.connectTimeout,
          failOn: flags.failOn,
          expect,
          optionName: cliOptionName,
          signal: interrupt.signal,
          onProgress: (event) => {
            progress.onProgress(event);
            logProgress?.(event);
          },
          onSecrets: (values) => learned.push(...values),
        });
      } finally {
        progress.stop();
        interrupt.dispose();
      }
      const color = !flags.output && wantsColor(process.stdout);
      const text =
        flags.quiet && format === "human"
          ? `${renderSummary(report, exitCodeFor(report), styleFor(color), cliOptionName)}\n`
          : render(report, format, { color, optionName: cliOptionName });
      const final = live();
      if (flags.output) writeReport(final, flags.output, text);
      else final.stdout(text);
      appendStepSummary(final, report);
      if (report.summary.interrupted) final.stderr("rtc-doctor: interrupted; the report is partial\n");
      setExit(exitCodeFor(report));
    });
}
