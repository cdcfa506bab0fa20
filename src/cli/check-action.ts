import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ConfigError } from "../config/errors.js";
import { resolveIceServers, secretsOf } from "../config/ice-servers.js";
import { render, exitCodeFor, type Format, type FailOn } from "../report/index.js";
import { renderSummary } from "../report/human/findings.js";
import { cliOptionName } from "./option-flags.js";
import { styleFor } from "../report/human/style.js";
import { wantsColor } from "./color.js";
import type { Output } from "./output.js";
import { remoteTargetFrom, signalSecrets, type SignalFlags } from "./signal-flags.js";
import { parseExpectations } from "../config/expectations.js";
import { loadConfigFile } from "../config/config-file.js";
import { EXIT_INTERRUPTED } from "../report/exit-code.js";
import { applyConfigFile } from "./apply-config.js";
import { abortOnSigint } from "./interrupt.js";
import { createProgress } from "./progress.js";
import { appendStepSummary } from "./step-summary.js";
import { enableWeriftDebug, verboseProgress } from "./verbose.js";

export interface CheckFlags extends SignalFlags {
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
  quality: number;
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

/** What `check` does once its flags parsed: everything a usage or configuration error does not need. */
export async function runCheck(out: Output, setExit: (code: number) => void, cliFlags: CheckFlags, command: Command): Promise<void> {
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
  // Only now, with every input valid and werift's debug output set up, the engine loads: werift
  // (whose loggers take their options as it loads) and every probe.
  const { check } = await import("../check.js");
  const progress = await createProgress(format === "human" && !flags.output && !flags.quiet && !flags.verbose && process.stderr.isTTY === true);
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
      qualityDurationMs: flags.quality,
      signalTimeoutMs: flags.signalTimeout,
      optionName: cliOptionName,
      failOn: flags.failOn,
      expect,
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
}
