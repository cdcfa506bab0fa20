import { Command, InvalidArgumentError } from "commander";
import type { ServeFlags } from "./serve-action.js";
import { collect } from "./parsers.js";
import { parseAllowedOrigin } from "../serve/cors.js";
import type { Output } from "./output.js";

function port(name: string, allowZero = true) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > 65535 || (!allowZero && n === 0)) throw new InvalidArgumentError(`${name} must be a port number from ${allowZero ? 0 : 1} to 65535`);
    return n;
  };
}

function allowOrigin(value: string, previous: string[]): string[] {
  try {
    return [...previous, parseAllowedOrigin(value)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
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
    .option("--allow-origin <origin>", "let pages on this origin (scheme://host[:port], or * for any) call serve from a browser: CORS (repeatable)", allowOrigin, [])
    .option("--reports-dir <dir>", "folder for the reports the test page at / posts", "rtc-doctor-reports")
    .option("--redact", "replace IP addresses in stored reports with placeholders that keep their class")
    .option("--token <token>", "require Authorization: Bearer <token> on every signalling request (401 otherwise; never printed)")
    .addHelpText(
      "after",
      "\nWith no --stun/--turn/--ice-servers the server's peers offer host candidates only, as a server with no ICE servers would.\n" +
        "Runs until interrupted (Ctrl-C). Every session is closed when it ends, fails to connect within 60 s, or after 10 minutes.",
    )
    .action(async (flags: ServeFlags) => {
      // werift and the rest of the far end load only when serve runs, not for its --help.
      const { runServe } = await import("./serve-action.js");
      await runServe(out, setExit, flags);
    });
}
