import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, it } from "vitest";
import { check, type CheckOptions } from "../src/index.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeCertificates, startCoturn, type Coturn } from "../test/helpers/coturn.js";
import { ROOT, notRootReason, runIn, startLab, type Lab } from "../test/lab/lab.js";
import { median, printRatio, sideBySide } from "./ratio.js";

// Issue 9: what concurrency and the shared first-contact wait buy, as wall-time ratios of whole
// checks measured side by side. Loopback figures are rtc-doctor's own CPU cost (a TURN server is
// never 0.1 ms away in real life); the lab figures put 50 ms each way between client and TURN
// server, as a nearby data centre is.
const USERS = Array.from({ length: 50 }, (_, i) => `u${i}`);
const ROUNDS = 9;

let coturn: Coturn;
beforeAll(async () => {
  coturn = await startCoturn({ tls: true, relayPorts: 3000, extraArgs: USERS.map((u) => `--user=${u}:p`) });
});
afterAll(async () => {
  await coturn?.stop();
});

/** Per kind of check, the share of its wall time the event loop was busy: near 1, the check is CPU-bound. */
const busy: Record<string, number[]> = {};

async function wallMs(options: CheckOptions, expectRelays = 0, busyAs?: string): Promise<number> {
  const loop = performance.eventLoopUtilization();
  const started = performance.now();
  // These figures are about running the connections side by side; the quality flood that follows
  // each connection (a fixed second by default) has its own line in bench/quality.ratio.ts.
  const report = await check({ qualityDurationMs: 0, ...options });
  const ms = performance.now() - started;
  if (busyAs) (busy[busyAs] ??= []).push(performance.eventLoopUtilization(loop).utilization);
  const relays = (report.connectivity ?? []).filter((c) => c.mode === "loopback-relay" && c.ok).length;
  if (relays < expectRelays) {
    const failed = (report.connectivity ?? []).find((c) => c.mode === "loopback-relay" && !c.ok) ?? report.servers.find((x) => !x.ok);
    throw new Error(`only ${relays} of ${expectRelays} relay connections were made (one: ${JSON.stringify(failed && { error: failed.error, durationMs: failed.durationMs })}): the figure would be wrong`);
  }
  return ms;
}

const turnList = (host: string, port: number, users: readonly string[]) =>
  JSON.stringify(users.map((u) => ({ urls: `turn:${host}:${port}?transport=udp`, username: u, credential: "p" })));

it("a full check against one STUN URL, and 50 TURN URLs against one (loopback coturn)", async () => {
  const stun = `stun:127.0.0.1:${coturn.port}`;
  const full = await sideBySide(
    () => wallMs({ stun: [stun] }, 0, "one STUN URL"),
    {
      full: () =>
        wallMs(
          {
            stun: [stun],
            turn: [`turn:127.0.0.1:${coturn.port}`, `turn:127.0.0.1:${coturn.port}?transport=tcp`, `turns:localhost:${coturn.tlsPort}?transport=tcp`],
            username: coturn.user,
            credential: coturn.password,
            tlsCa: coturn.caPem,
          },
          3,
          "STUN+TURN udp/tcp/tls",
        ),
    },
    ROUNDS,
  );
  printRatio({ label: "STUN+TURN udp/tcp/tls check / one STUN URL", ...full.full, goal: 1.5, unit: "ms" });
  const fifty = await sideBySide(
    () => wallMs({ iceServers: turnList("127.0.0.1", coturn.port, USERS.slice(0, 1)) }, 1, "one TURN URL"),
    { fifty: () => wallMs({ iceServers: turnList("127.0.0.1", coturn.port, USERS) }, 50, "50 TURN URLs") },
    ROUNDS,
  );
  printRatio({ label: "50 TURN URLs / one (loopback: CPU-bound)", ...fifty.fifty, goal: 1.5, unit: "ms" });
  // Why the loopback lines are what they are: a check whose event loop is busy all its wall time
  // waits on nothing, so running more of it side by side cannot make it shorter; only less CPU can.
  for (const [kind, shares] of Object.entries(busy)) {
    process.stdout.write(`busy   ${`${kind} (loopback)`.padEnd(44)}  event loop busy ${(median(shares) * 100).toFixed(0)}% of the wall time\n`);
  }
});

const skipLab = notRootReason();

/** test/lab/delay-forwarder.mjs on loopback; with port 0 it picks one and says which. */
async function startForwarder(args: string[]): Promise<{ port: number; stop(): void }> {
  const child: ChildProcess = spawn(process.execPath, [`${ROOT}test/lab/delay-forwarder.mjs`, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolve(Number(/ready (\d+)/.exec(line)?.[1])));
    child.once("exit", (code) => reject(new Error(`delay forwarder exited (${code})`)));
  });
  return { port, stop: () => child.kill() };
}

it("50 TURN URLs against one, 50 ms each way between client and TURN server", async () => {
  const forwarder = await startForwarder(["127.0.0.1", "0", "127.0.0.1", String(coturn.port), "50"]);
  try {
    const t = await sideBySide(
      () => wallMs({ iceServers: turnList("127.0.0.1", forwarder.port, USERS.slice(0, 1)), nat: false }, 1),
      { fifty: () => wallMs({ iceServers: turnList("127.0.0.1", forwarder.port, USERS), nat: false }, 50) },
      3,
    );
    printRatio({ label: "50 TURN URLs / one (100 ms RTT to TURN)", ...t.fifty, goal: 1.5, unit: "ms" });
  } finally {
    forwarder.stop();
  }
});

// The same comparison as a user behind a real NAT makes it: the client in a lab site behind a kernel
// NAT, coturn (RFC 5780, two addresses, TLS with a throwaway CA) on the lab's internet side. There
// NAT discovery's filtering tests wait for answers a restricting NAT drops, and both checks pay
// for it alike.
it.skipIf(skipLab !== undefined)("STUN+TURN udp/tcp/tls against one STUN URL, from behind lab NATs", async () => {
  let lab: Lab | undefined;
  const dir = mkdtempSync(join(tmpdir(), "rtcd-bench-lab-"));
  try {
    const certs = makeCertificates(dir, { certNames: ["IP:198.51.100.1"] });
    const caFile = join(dir, "ca-for-cli.pem");
    writeFileSync(caFile, certs.caPem);
    const tls = [`--cert=${certs.certFile}`, `--pkey=${certs.keyFile}`, "--tls-listening-port=5349"];
    lab = startLab({ coturns: [{ name: "rfc5780", ips: ["198.51.100.1", "198.51.100.2"], args: tls }], sites: [{ name: "cone", profile: "full-cone" }, { name: "home", profile: "port-restricted-cone" }] });
    const stun = ["--stun", "stun:198.51.100.1:3478"];
    const turn = ["--turn", "turn:198.51.100.1:3478", "--turn", "turn:198.51.100.1:3478?transport=tcp", "--turn", "turns:198.51.100.1:5349?transport=tcp", "--username", "u", "--credential", "p", "--ca", caFile];
    for (const [site, label] of [["cone", "full cone (hairpins)"], ["home", "port-restricted cone (no hairpinning)"]] as const) {
      const client = lab.sites[site]!.client;
      const cli = (args: string[], relays: number) => async () => {
        const r = await runIn(client, process.execPath, [`${ROOT}bin/rtc-doctor.js`, "check", "--json", "--quality", "0", ...args], 120_000);
        const made = (JSON.parse(r.stdout) as { connectivity?: { mode: string; ok: boolean }[] }).connectivity?.filter((c) => c.mode === "loopback-relay" && c.ok).length ?? 0;
        if (made < relays) throw new Error(`only ${made} of ${relays} relay connections were made: the figure would be wrong`);
        return r.wallMs;
      };
      const t = await sideBySide(cli(stun, 0), { full: cli([...stun, ...turn], 3) }, 3);
      printRatio({ label: `STUN+TURN udp/tcp/tls / one STUN: ${label}`, ...t.full, goal: 1.5, unit: "ms" });
    }
  } finally {
    lab?.down();
    rmSync(dir, { recursive: true, force: true });
  }
});

it.skipIf(skipLab !== undefined)("the UDP-blocked verdict against turnutils_natdiscovery (NAT lab)", async () => {
  let lab: Lab | undefined;
  try {
    lab = startLab({ coturns: [{ name: "plain", ips: ["198.51.100.1"] }], sites: [{ name: "blocked", profile: "udp-blocked" }] });
    const client = lab.sites["blocked"]!.client;
    const servers = ["--stun", "stun:198.51.100.1:3478", "--turn", "turn:198.51.100.1:3478?transport=tcp", "--username", "u", "--credential", "p"];
    const cli = (args: string[]) => async () => {
      const r = await runIn(client, process.execPath, [`${ROOT}bin/rtc-doctor.js`, "check", "--json", ...args, ...servers], 120_000);
      const classic = r.code === 0 ? (JSON.parse(r.stdout) as { nat?: { classic?: string } }).nat?.classic : undefined;
      if (classic !== "udp-blocked") throw new Error(`rtc-doctor exited ${r.code} without the udp-blocked verdict: ${r.stderr.slice(0, 400)}`);
      return r.wallMs;
    };
    const natdiscovery = async () => {
      const r = await runIn(client, "turnutils_natdiscovery", ["-m", "-f", "198.51.100.1"], 60_000);
      return r.wallMs;
    };
    const t = await sideBySide(natdiscovery, { verdict: cli(["--no-gather", "--no-connect"]), whole: cli([]) }, 3);
    printRatio({ label: "UDP-blocked verdict (servers + NAT) / turnutils_natdiscovery", ...t.verdict, goal: 0.25, unit: "ms" });
        // For context: the whole check also makes its connections and measures their quality.
    printRatio({ label: "the same, whole default check / turnutils_natdiscovery", ...t.whole, unit: "ms" });
  } finally {
    lab?.down();
  }
});
