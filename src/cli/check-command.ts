import { Command, Option } from "commander";
import { DEFAULT_QUALITY_DURATION_MS, DEFAULT_SIGNAL_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, MAX_QUALITY_DURATION_MS } from "../config/defaults.js";
import { parseTtl } from "../config/turn-ttl.js";
import { FORMATS } from "../report/formats.js";
import { SIGNAL_PROTOCOLS } from "../signalling/types.js";
import type { CheckFlags } from "./check-action.js";
import type { Output } from "./output.js";
import { collect, nonNegativeInt, positiveInt } from "./parsers.js";

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
    .option("--restart", "once connected to --signal, ask the far end for an ICE restart (WHIP PATCH, Pipecat restart_pc) and time the reconnection")
    .option("--signal-timeout <ms>", "bound on each request to --signal (a far side that gathers before answering takes seconds)", positiveInt("--signal-timeout"), DEFAULT_SIGNAL_TIMEOUT_MS)
    .option("--no-connect", "skip the loopback connections (host, srflx, relay through each TURN URL)")
    .option("--connect-timeout <ms>", "bound on ICE + DTLS + data channel of each connection attempt", positiveInt("--connect-timeout"), 10_000)
    .option("--quality <ms>", "milliseconds of quality measurement on each path that connects: loss, RTT, jitter, MOS, bitrate (0 skips)", nonNegativeInt("--quality", MAX_QUALITY_DURATION_MS), DEFAULT_QUALITY_DURATION_MS)
    .option("--expect <expectation>", "what must hold, else exit 1 (repeatable): relay, relay:udp|tcp|tls, srflx, nat:!symmetric, nat:<type>, connect:remote, connect:loopback, rtt<MS, loss<PERCENT, mos>N, jitter<MS, bitrate>N[k|M], media:both|send|receive, restart (with --restart)", collect, [])
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
      // The probes, werift and the renderers load only once a check runs, so that --help, --version
      // and usage errors never pay for them.
      const { runCheck } = await import("./check-action.js");
      await runCheck(out, setExit, cliFlags, command);
    });
}
