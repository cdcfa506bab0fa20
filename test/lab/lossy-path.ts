import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { ROOT, runIn, startLab, type Lab } from "./lab.js";

/**
 * A mobile-like relay path in the NAT lab (issue 12): a client behind a NAT whose router drops a
 * share of what crosses it in each direction (iptables statistic; this kernel has no netem), and a
 * TURN server reached through test/lab/delay-forwarder.mjs, which adds the delay and jitter each way.
 * A loopback relay connection crosses the router and the forwarder four times per round trip:
 * 60 ms +- 10 ms each way gives ~240 ms RTT, and 4% per crossing ~8% loss each way.
 */

const COTURN_IP = "198.51.100.3";
/** The forwarder's address in the lab's internet: the TURN URL the client is given. */
const FORWARDER_IP = "198.51.100.4";
const TURN_PORT = 3478;

export interface LossyPathSpec {
  delayMs: number;
  jitterMs: number;
  /** Dropped at the router in each direction, in percent. */
  lossPercent: number;
  /** How long the forwarder may live at most (it also ends with this process). */
  lifetimeSec?: number;
}

export const MOBILE_LIKE: LossyPathSpec = { delayMs: 60, jitterMs: 10, lossPercent: 4 };

export interface LossyPath {
  lab: Lab;
  /** The client's namespace. */
  client: string;
  turnUrl: string;
  username: string;
  credential: string;
  down(): void;
}

function iptables(namespace: string, args: string[]): void {
  const r = spawnSync("ip", ["netns", "exec", namespace, "iptables", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`iptables ${args.join(" ")} in ${namespace} failed: ${r.stderr}`);
}

async function startForwarder(wan: string, spec: LossyPathSpec): Promise<ChildProcess> {
  const args = [FORWARDER_IP, String(TURN_PORT), COTURN_IP, String(TURN_PORT), String(spec.delayMs), String(spec.jitterMs), String(spec.lifetimeSec ?? 600)];
  const child = spawn("ip", ["netns", "exec", wan, process.execPath, `${ROOT}test/lab/delay-forwarder.mjs`, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => (line.startsWith("ready") ? resolve() : reject(new Error(`the delay forwarder said '${line}'`))));
    child.once("exit", (code) => reject(new Error(`the delay forwarder exited (${code}) before it was ready`)));
  });
  return child;
}

/** Builds the path under a fresh lab prefix; on any failure whatever was built is taken down again. */
export async function startLossyPath(spec: LossyPathSpec = MOBILE_LIKE): Promise<LossyPath> {
  const lab = startLab({ coturns: [{ name: "turn", ips: [COTURN_IP] }], sites: [{ name: "cli", profile: "port-restricted-cone" }] });
  let forwarder: ChildProcess | undefined;
  const down = () => {
    forwarder?.kill();
    lab.down();
  };
  try {
    const site = lab.sites["cli"]!;
    forwarder = await startForwarder(lab.wan, spec);
    if (spec.lossPercent > 0) {
      // FORWARD sees both directions: every datagram to or from the client crosses the router once.
      iptables(site.router, ["-I", "FORWARD", "-m", "statistic", "--mode", "random", "--probability", String(spec.lossPercent / 100), "-j", "DROP"]);
    }
    return { lab, client: site.client, turnUrl: `turn:${FORWARDER_IP}:${TURN_PORT}?transport=udp`, username: "u", credential: "p", down };
  } catch (error) {
    down();
    throw error;
  }
}

export interface OpenResult {
  ok: boolean;
  /** From the start of the attempt (before the offer) to the offerer's open data channel. */
  timeToDataChannelMs?: number;
  stalledIn?: string;
}

interface RelayFact {
  mode: string;
  ok: boolean;
  timeToDataChannelMs?: number;
  stalledIn?: string;
  error?: { code: string };
}

/**
 * rtc-doctor itself, as a user runs it, from the client's namespace: one `check` of the TURN URL,
 * whose loopback relay connection is the attempt. Default connect timeout.
 */
export async function rtcDoctorRelayOpens(path: LossyPath, boundMs = 60_000): Promise<OpenResult> {
  const args = [`${ROOT}bin/rtc-doctor.js`, "check", "--json", "--no-nat", "--no-gather", "--turn", path.turnUrl, "--username", path.username, "--credential", path.credential];
  const r = await runIn(path.client, process.execPath, args, boundMs);
  let relay: RelayFact | undefined;
  try {
    relay = (JSON.parse(r.stdout) as { connectivity?: RelayFact[] }).connectivity?.find((c) => c.mode === "loopback-relay");
  } catch {
    throw new Error(`rtc-doctor exited ${r.code} without a JSON report: ${r.stderr.slice(0, 400)}`);
  }
  if (!relay) throw new Error(`rtc-doctor's report has no loopback relay attempt (exit ${r.code}): ${r.stdout.slice(0, 400)}`);
  return {
    ok: relay.ok,
    ...(relay.timeToDataChannelMs !== undefined ? { timeToDataChannelMs: relay.timeToDataChannelMs } : {}),
    ...(relay.stalledIn ? { stalledIn: relay.stalledIn } : relay.error ? { stalledIn: relay.error.code } : {}),
  };
}

/** libwebrtc (@roamhq/wrtc) making the same loopback relay connection from the same namespace. */
export async function libwebrtcRelayOpens(path: LossyPath, attempts = 1, connectTimeoutMs = 10_000): Promise<OpenResult[]> {
  const args = [`${ROOT}test/lab/wrtc-relay-loopback.mjs`, path.turnUrl, path.username, path.credential, String(attempts), String(connectTimeoutMs)];
  const r = await runIn(path.client, process.execPath, args, attempts * (connectTimeoutMs + 15_000));
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("{"));
  if (lines.length !== attempts) throw new Error(`libwebrtc's relay attempts ended early (exit ${r.code}): ${r.stderr.slice(0, 400)}`);
  return lines.map((l) => JSON.parse(l) as OpenResult);
}
