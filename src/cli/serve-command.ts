import { networkInterfaces } from "node:os";
import { isIPv6 } from "node:net";
import { Command, InvalidArgumentError } from "commander";
import { ConfigError } from "../config/errors.js";
import { resolveIceServers, secretsOf } from "../config/ice-servers.js";
import { toRTCIceServers } from "../config/rtc-ice-servers.js";
import { startServe, type RunningServe } from "../serve/server.js";
import { collect } from "./parsers.js";
import type { Output } from "./output.js";

interface ServeFlags {
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
}

function port(name: string, allowZero = true) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > 65535 || (!allowZero && n === 0)) throw new InvalidArgumentError(`${name} must be a port number from ${allowZero ? 0 : 1} to 65535`);
    return n;
  };
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

export function serveCommand(out: Output, setExit: (code: number) => void): Command {
  return new Command("serve")
    .description("run the far end on a server host: answers WHIP and Pipecat offers with an echoing peer, plus a STUN responder")
    .option("--host <address>", "address to listen on", "0.0.0.0")
    .option("--port <port>", "HTTP port for signalling (0 = any free port)", port("--port"), 8787)
    .option("--stun <url>", "STUN URL for the server's own peers (repeatable)", collect, [])
    .option("--turn <url>", "TURN URL for the server's own peers (repeatable); needs --username and --credential", collect, [])
    .option("--username <name>", "TURN username for the --turn URLs")
    .option("--credential <secret>", "TURN credential for the --turn URLs (never printed)")
    .option("--ice-servers <json|@file>", "RTCIceServer list for the server's own peers, as JSON or @file")
    .option("--share-ice-servers", "also hand those ICE servers to clients (WHIP Link headers, Pipecat /start iceConfig)")
    .option("--stun-port <port>", "UDP port of the STUN responder (0 = any free port)", port("--stun-port"), 3478)
    .option("--no-stun-port", "run no STUN responder")
    .option("--stun-alt-port <port>", "second STUN port: enables RFC 5780 CHANGE-REQUEST (change port) and OTHER-ADDRESS", port("--stun-alt-port"))
    .option("--stun-alt-host <address>", "second local address: enables RFC 5780 CHANGE-REQUEST (change IP)")
    .option("--advertise <host>", "host name or address clients reach this machine at (for the printed command)")
    .option("--token <token>", "require Authorization: Bearer <token> on every signalling request (401 otherwise; never printed)")
    .addHelpText(
      "after",
      "\nWith no --stun/--turn/--ice-servers the server's peers offer host candidates only, as a server with no ICE servers would.\n" +
        "Runs until interrupted (Ctrl-C). Every session is closed when it ends, fails to connect within 60 s, or after 10 minutes.",
    )
    .action(async (flags: ServeFlags) => {
      // Unlike check, serve falls back to no ICE servers at all: a public default would hide the
      // host-candidates-only failure that serve exists to reproduce.
      const configured = flags.stun.length + flags.turn.length > 0 || flags.iceServers !== undefined;
      const targets = configured ? resolveIceServers({ ...flags, env: {} }).targets : [];
      if (flags.token !== undefined && flags.token.trim().length < 8) throw new ConfigError("--token: use at least 8 characters");
      const safe = out.withSecrets([...secretsOf(targets), ...(flags.token ? [flags.token] : [])]);
      if (flags.stunAltHost && flags.stunAltPort === undefined && flags.stunPort === false) {
        throw new ConfigError("--stun-alt-host needs the STUN responder (drop --no-stun-port)");
      }
      let running: RunningServe;
      try {
        running = await startServe({
          host: flags.host,
          port: flags.port,
          iceServers: toRTCIceServers(targets),
          shareIceServers: flags.shareIceServers === true,
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
        ].join("\n"),
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          resolve();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      safe.stderr("rtc-doctor serve: stopping, closing every session\n");
      await running.close();
      setExit(0);
    });
}
