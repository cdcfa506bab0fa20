import { networkInterfaces } from "node:os";
import { isIPv6 } from "node:net";
import { ConfigError } from "../config/errors.js";
import { resolveIceServers, secretsOf } from "../config/ice-servers.js";
import { toRTCIceServers } from "../config/rtc-ice-servers.js";
import type { RunningServe } from "../serve/server.js";
import type { Output } from "./output.js";
import { untilStopSignal } from "./interrupt.js";

export interface ServeFlags {
  host: string;
  port: number;
  stun: string[];
  turn: string[];
  username?: string;
  credential?: string;
  iceServers?: string;
  shareIceServers?: boolean;
  stunPort: number | false;
  stunAltPort?: number;
  stunAltHost?: string;
  advertise?: string;
  token?: string;
  allowOrigin: string[];
  reportsDir: string;
  redact?: boolean;
}

/** The address a client elsewhere would use: the first non-internal IPv4 when listening on all. */
function advertisedHost(flags: ServeFlags): string {
  if (flags.advertise) return flags.advertise;
  if (flags.host !== "0.0.0.0" && flags.host !== "::") return flags.host;
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  return all.find((a) => a.family === "IPv4" && !a.internal)?.address ?? "127.0.0.1";
}

function hostPort(host: string, p: number): string {
  return isIPv6(host) ? `[${host}]:${p}` : `${host}:${p}`;
}

/** What `serve` does once its flags parsed: runs until SIGINT or SIGTERM. */
export async function runServe(out: Output, setExit: (code: number) => void, flags: ServeFlags): Promise<void> {
  // Unlike check, serve falls back to no ICE servers at all: a public default would hide the
  // host-candidates-only failure that serve exists to reproduce.
  const configured = flags.stun.length + flags.turn.length > 0 || flags.iceServers !== undefined;
  const targets = configured ? resolveIceServers({ ...flags, env: {} }).targets : [];
  if (flags.token !== undefined && flags.token.trim().length < 8) throw new ConfigError("--token: use at least 8 characters");
  const safe = out.withSecrets([...secretsOf(targets), ...(flags.token ? [flags.token] : [])]);
  if (flags.stunAltHost && flags.stunAltPort === undefined && flags.stunPort === false) {
    throw new ConfigError("--stun-alt-host needs the STUN responder (drop --no-stun-port)");
  }
  // Only now, with every input valid, the peers' stack loads: werift and the STUN responder.
  const { startServe } = await import("../serve/server.js");
  let running: RunningServe;
  try {
    running = await startServe({
      host: flags.host,
      port: flags.port,
      iceServers: toRTCIceServers(targets),
      shareIceServers: flags.shareIceServers === true,
      allowOrigins: flags.allowOrigin,
      reports: { dir: flags.reportsDir, redact: flags.redact === true },
      ...(flags.token !== undefined ? { token: flags.token.trim() } : {}),
      ...(flags.stunPort === false
        ? {}
        : { stun: { port: flags.stunPort, ...(flags.stunAltPort !== undefined ? { altPort: flags.stunAltPort } : {}), ...(flags.stunAltHost ? { altHost: flags.stunAltHost } : {}) } }),
      log: (line) => safe.stderr(`${new Date().toISOString()} ${line}\n`),
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new ConfigError(`serve: cannot listen (${e.code ?? e.message}${"port" in e ? ` on port ${String((e as { port?: number }).port)}` : ""})`);
  }
  const host = advertisedHost(flags);
  const base = `http://${hostPort(host, running.port)}`;
  // The client's copy of the token stays out of this output (and so out of logs): a placeholder
  // the client fills from its own environment.
  const tokenFlag = flags.token !== undefined ? ' --token "$RTC_DOCTOR_TOKEN"' : "";
  const clientFlags = (running.stun ? ` --stun stun:${hostPort(host, running.stun.address.port)}` : "") + tokenFlag;
  safe.stdout(
    [
      `rtc-doctor serve listening on ${running.url}` + (running.stun ? `, STUN on udp ${hostPort(running.stun.address.address, running.stun.address.port)}` : "") +
        (running.stun?.otherAddress ? ` (RFC 5780, other address ${hostPort(running.stun.otherAddress.address, running.stun.otherAddress.port)})` : ""),
      `ICE servers of the server's peers: ${targets.length ? targets.map((t) => t.url.raw).join(", ") : "none (host candidates only)"}`,
      "",
      "On the client, run:",
      `  rtc-doctor check --signal ${base}/whip --protocol whip${clientFlags}`,
      "or, Pipecat-style:",
      `  rtc-doctor check --signal ${base}/api/offer --protocol pipecat${clientFlags}`,
      "",
      // The page reads the token from the fragment, which the browser never sends anywhere.
      `For a remote user, send this test page (reports go to ${flags.reportsDir}/):`,
      `  ${base}/${flags.token !== undefined ? "#token=<the token>" : ""}`,
      "",
    ].join("\n"),
  );
  await untilStopSignal();
  safe.stderr("rtc-doctor serve: stopping, closing every session\n");
  await running.close();
  setExit(0);
}
