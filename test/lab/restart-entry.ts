import { spawnSync } from "node:child_process";
import { connectRemote } from "../../src/probes/connect/remote.js";

/**
 * Runs the remote attempt with an ICE restart inside a lab namespace, and changes the network
 * under the live call first: `ip netns exec NS node <compiled entry> '<json>'`. The change is a list
 * of commands (each an argv, e.g. ["ip", "netns", "exec", ROUTER, "ip", "addr", ...]) run in order
 * once the call is up. Prints the ConnectivityFact as JSON on stdout.
 */
interface Input {
  url: string;
  what: string;
  commands: string[][];
  connectTimeoutMs?: number;
  deadOn?: ("consent" | "echo" | "ice-failed")[];
  watchMs?: number;
  iceServers?: { urls: string[]; username?: string; credential?: string }[];
}

const input = JSON.parse(process.argv[2] ?? "{}") as Input;
const fact = await connectRemote({
  url: input.url,
  protocol: "whip",
  trickle: false,
  gatherTimeoutMs: 5000,
  httpTimeoutMs: 8000,
  connectTimeoutMs: input.connectTimeoutMs ?? 15_000,
  echoCount: 3,
  iceServers: input.iceServers ?? [],
  restart: true,
  ...(input.watchMs !== undefined ? { restartWatchMs: input.watchMs } : {}),
  networkChange: {
    what: input.what,
    ...(input.deadOn ? { deadOn: input.deadOn } : {}),
    async apply() {
      for (const argv of input.commands) {
        const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
      }
    },
  },
});
process.stdout.write(`${JSON.stringify(fact)}\n`);
// werift 0.24 keeps timers alive after close (werift.md: process hygiene).
process.exit(0);
