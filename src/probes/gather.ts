import { performance } from "node:perf_hooks";
import type { IceServerTarget } from "../config/types.js";
import type { CandidateFact, CandidateType, GatheringFact } from "../facts/candidates.js";
import type { ProbeError } from "../facts/common.js";
import { bounded } from "../webrtc/peer.js";
import { probeError } from "../facts/probe-error.js";

export interface GatherOptions {
  /** Bound on each peer's gathering (werift's own STUN wait is 5 s and TURN has none). */
  timeoutMs: number;
  /** Extra trust anchor (PEM) for turns: certificates; without it werift trusts only the system store, like a browser. */
  tlsCa?: string | Buffer;
}

export interface GatherResult {
  gathering: GatheringFact[];
  candidates: CandidateFact[];
}

type Werift = typeof import("werift");
type PeerConnection = InstanceType<Werift["RTCPeerConnection"]>;

/**
 * Gathers through each ICE server URL with its own werift peer connection, as a browser-like stack
 * would. One peer per URL because werift uses only the first STUN and the first TURN URL it is given.
 */
export async function gatherThroughServers(targets: readonly IceServerTarget[], options: GatherOptions): Promise<GatherResult> {
  const results = await Promise.all(targets.map((target) => gatherThroughServer(target, options)));
  const gathering = results.map((r) => r.fact);
  // Every STUN peer gathers the same host addresses (on its own ports): report them once.
  const hostSource = results.find((r) => r.candidates.some((c) => c.type === "host"));
  const candidates = [
    ...(hostSource?.candidates.filter((c) => c.type === "host") ?? []),
    ...results.flatMap((r) => r.candidates.filter((c) => c.type !== "host")),
  ];
  return { gathering, candidates };
}

export async function gatherThroughServer(
  target: IceServerTarget,
  options: GatherOptions,
): Promise<{ fact: GatheringFact; candidates: CandidateFact[] }> {
  const { url } = target;
  const fact: GatheringFact = { url: url.raw, ok: false, durationMs: 0, srflx: 0, relay: 0, timedOut: false };
  const skip = unsupportedReason(target);
  if (skip) return { fact: { ...fact, error: probeError("not-testable", skip) }, candidates: [] };

  const started = performance.now();
  const candidates: CandidateFact[] = [];
  let collecting = true;
  let relayProtocol = url.transport;
  let pc: PeerConnection | undefined;
  try {
    // Loaded here, not at the top: werift's import costs ~200 ms the raw probes should not wait for.
    const { RTCPeerConnection } = await import("werift");
    pc = new RTCPeerConnection(peerConfig(target, options));
    pc.onicecandidate = ({ candidate }) => {
      const parsed = candidate?.candidate ? parseCandidate(candidate.candidate) : undefined;
      if (parsed && collecting) candidates.push(parsed);
    };
    pc.createDataChannel("rtc-doctor");
    const offer = await pc.createOffer();
    // setLocalDescription resolves only once gathering has finished.
    const finished = await bounded(pc.setLocalDescription(offer), options.timeoutMs);
    fact.timedOut = !finished;
    fact.durationMs = Math.round(performance.now() - started);
    if (url.isTurn) {
      // Read before close: werift drops its protocols when the peer closes.
      relayProtocol = actualRelayProtocol(pc) ?? relayProtocol;
      await releaseAllocations(pc, Math.min(options.timeoutMs, 1000));
    }
  } catch (error) {
    fact.error = probeError("internal-error", `werift failed while gathering through ${url.raw}: ${scrub(error, target)}`);
  } finally {
    collecting = false;
    if (pc) await bounded(pc.close(), 1000).catch(() => undefined);
  }
  fact.durationMs ||= Math.round(performance.now() - started);

  for (const c of candidates) {
    if (c.type === "host") continue;
    c.url = url.raw;
    if (c.type === "relay") c.relayProtocol = relayProtocol;
  }
  fact.srflx = candidates.filter((c) => c.type === "srflx").length;
  fact.relay = candidates.filter((c) => c.type === "relay").length;
  fact.ok = url.isTurn ? fact.relay > 0 : fact.srflx > 0;
  if (fact.timedOut && !fact.error) fact.error = timeoutError(url.raw, options.timeoutMs);
  return { fact, candidates };
}

/** URLs werift would probe over another transport than the URL names: testing them would mislead. */
function unsupportedReason(target: IceServerTarget): string | undefined {
  const { url } = target;
  if (url.scheme === "stuns") {
    return "not gathered with werift: it treats stuns: as plain STUN over UDP, so its result would not reflect TLS; the server probe tests this URL over TLS";
  }
  if (url.scheme === "stun" && url.transport === "tcp") {
    return "not gathered with werift: it sends STUN over UDP only; the server probe tests this URL over TCP";
  }
  return undefined;
}

function peerConfig(target: IceServerTarget, options: GatherOptions): ConstructorParameters<Werift["RTCPeerConnection"]>[0] {
  const { url } = target;
  if (!url.isTurn) {
    // A STUN URL of our own keeps werift from adding its default (stun.l.google.com).
    return { iceServers: [{ urls: url.raw }] };
  }
  return {
    iceServers: [{ urls: url.raw, username: target.username, credential: target.credential }],
    // With TURN credentials, "relay" makes werift skip host and STUN gathering entirely (ice.js
    // getCandidatePromises: gatherRelayOnly), so no default STUN server is contacted either.
    iceTransportPolicy: "relay",
    turnTlsOptions: options.tlsCa ? { ca: options.tlsCa } : undefined,
  };
}

/** werift never releases its allocations (0.24.4); left alone they would count against the user's quota for 10 minutes. */
async function releaseAllocations(pc: PeerConnection, timeoutMs: number): Promise<void> {
  const { Message, methods, classes } = await import("werift");
  await Promise.all(
    turnClients(pc).map((turn) => {
      const refresh = new Message(methods.REFRESH, classes.REQUEST).setAttribute("LIFETIME", 0);
      return bounded(turn.request(refresh, turn.server), timeoutMs).catch(() => undefined);
    }),
  );
}

interface WeriftTurnClient {
  server: unknown;
  transport?: { type?: string };
  request(message: unknown, address: unknown): Promise<unknown>;
}

/** werift's TURN clients inside a peer connection. Internal structure: probed defensively. */
function turnClients(pc: PeerConnection): WeriftTurnClient[] {
  try {
    const transports = (pc as unknown as { iceTransports?: { connection?: { protocols?: { turn?: WeriftTurnClient }[] } }[] }).iceTransports ?? [];
    return transports.flatMap((t) => t.connection?.protocols ?? []).flatMap((p) => (p.turn ? [p.turn] : []));
  } catch {
    return [];
  }
}

/** The transport werift really used: it falls back from UDP to TCP silently when UDP fails. */
function actualRelayProtocol(pc: PeerConnection): "udp" | "tcp" | "tls" | undefined {
  const type = turnClients(pc)[0]?.transport?.type;
  return type === "udp" || type === "tcp" || type === "tls" ? type : undefined;
}

/** Parses an a=candidate line's value (RFC 8839 section 5.1). */
export function parseCandidate(line: string): CandidateFact | undefined {
  const parts = line.replace(/^(a=)?candidate:/, "").trim().split(/\s+/);
  const [, , protocol, , address, port, typ, type] = parts;
  if (typ !== "typ" || address === undefined || port === undefined) return undefined;
  const proto = protocol?.toLowerCase();
  if (proto !== "udp" && proto !== "tcp") return undefined;
  if (type !== "host" && type !== "srflx" && type !== "prflx" && type !== "relay") return undefined;
  const fact: CandidateFact = { type: type as CandidateType, protocol: proto, address, port: Number(port) };
  for (let i = 8; i + 1 < parts.length; i += 2) {
    const [key, value] = [parts[i], parts[i + 1] as string];
    if (key === "raddr") fact.relatedAddress = value;
    else if (key === "rport") fact.relatedPort = Number(value);
    else if (key === "tcptype" && (value === "active" || value === "passive" || value === "so")) fact.tcpType = value;
  }
  return fact;
}

function timeoutError(url: string, timeoutMs: number): ProbeError {
  return probeError("timeout", `werift did not finish gathering through ${url} within ${timeoutMs} ms`);
}

function scrub(error: unknown, target: IceServerTarget): string {
  let text = error instanceof Error ? error.message : String(error);
  if (target.credential) text = text.split(target.credential).join("***");
  return text;
}
