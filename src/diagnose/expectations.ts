import type { Expectation, QualityExpectation } from "../config/expectations.js";
import type { ConnectivityFact, QualityFact } from "../facts/index.js";
import type { ExpectationResult } from "../facts/expectations.js";
import type { Facts, ServerFact } from "../facts/index.js";
import { natReasonWords } from "../rules/nat-reasons.js";
import { detailOf } from "../facts/probe-error.js";
import { inboundFlows, outboundOf, receivedWords, reportWords } from "../rules/media-helpers.js";
import { isNetworkPath, measuredPaths } from "../rules/quality-helpers.js";
import { remoteAttempt } from "../rules/remote-helpers.js";

type Outcome = Omit<ExpectationResult, "expectation">;

const notMeasured = (why: string): Outcome => ({ met: false, actual: `not measured: ${why}` });
const NO_REMOTE = "no remote connection was attempted (give the far end with {option:remote})";

function ms(value: number): string {
  return `${Math.round(value * 10) / 10} ms`;
}

function failures(servers: readonly ServerFact[]): string {
  return servers.map((s) => `${s.url}: ${detailOf(s.error) ?? "failed"}`).join("; ");
}

function relay(e: Extract<Expectation, { kind: "relay" }>, facts: Facts): Outcome {
  const turn = facts.servers.filter((s) => s.kind === "turn" && (e.transport === undefined || s.transport === e.transport));
  const over = e.transport ? ` over ${e.transport.toUpperCase()}` : "";
  if (turn.length === 0) return notMeasured(`no TURN URL${over} was configured`);
  const working = turn.find((s) => s.ok && s.relayedAddress);
  if (working?.relayedAddress) {
    return {
      met: true,
      actual: `${working.url} allocated a relay${over} (${working.relayedAddress.address}:${working.relayedAddress.port})`,
      path: `/servers/${working.index}/relayedAddress`,
    };
  }
  return { met: false, actual: `no relay${over}: ${failures(turn)}`, path: `/servers/${turn[0]?.index ?? 0}` };
}

/** A server-reflexive candidate comes from a Binding (or Allocate) over UDP, as browsers gather it. */
function srflx(facts: Facts): Outcome {
  const udp = facts.servers.filter((s) => s.transport === "udp");
  const mapped = udp.find((s) => s.ok && s.mappedAddress);
  if (mapped?.mappedAddress) {
    return { met: true, actual: `${mapped.url} saw this host as ${mapped.mappedAddress.address}:${mapped.mappedAddress.port}`, path: `/servers/${mapped.index}/mappedAddress` };
  }
  const gathered = facts.candidates.findIndex((c) => c.type === "srflx");
  if (gathered >= 0) return { met: true, actual: `srflx candidate gathered through ${facts.candidates[gathered]?.url ?? "a STUN server"}`, path: `/candidates/${gathered}` };
  if (udp.length === 0) return notMeasured("no STUN URL (or TURN over UDP) was configured");
  return { met: false, actual: `no server-reflexive address: ${failures(udp)}`, path: `/servers/${udp[0]?.index ?? 0}` };
}

function nat(e: Extract<Expectation, { kind: "nat" }>, facts: Facts): Outcome {
  const n = facts.nat;
  if (!n) return notMeasured("NAT discovery did not run (turned off with {option:nat}, or no STUN server to run it against)");
  const path = "/nat/classic";
  const described = `NAT classified as ${n.classic} (mapping ${n.mapping}, filtering ${n.filtering})`;
  if (e.negated && n.classic === "unknown" && e.classic === "symmetric") {
    // Symmetric is a mapping property: a known mapping settles it even when the filtering is unknown.
    if (n.mapping === "endpoint-independent") return { met: true, actual: `${described}: the mapping is not symmetric`, path: "/nat/mapping" };
    if (n.mapping !== "unknown") return { met: false, actual: `${described}: an ${n.mapping} mapping is symmetric`, path: "/nat/mapping" };
  }
  const why = natReasonWords(n).join(" ");
  if (n.classic === "unknown") return { met: false, actual: `${described}${why ? `: ${why}` : ""}`, path };
  if (!e.negated) return { met: n.classic === e.classic, actual: described, path };
  // With UDP blocked no NAT behaviour is observable: "not TYPE" cannot be shown for any other type.
  if (n.classic === "udp-blocked" && e.classic !== "udp-blocked") return { met: false, actual: `${described}: no NAT behaviour could be observed`, path };
  return { met: n.classic !== e.classic, actual: described, path };
}

function connect(e: Extract<Expectation, { kind: "connect" }>, facts: Facts): Outcome {
  const attempts = facts.connectivity;
  if (!attempts) return notMeasured("this run made no connection attempt");
  const indexed = attempts.map((a, i) => ({ a, i })).filter(({ a }) => (e.mode === "remote" ? a.mode === "remote" : a.mode.startsWith("loopback")));
  if (indexed.length === 0) {
    return notMeasured(e.mode === "remote" ? NO_REMOTE : "no loopback connection was attempted");
  }
  const ok = indexed.filter(({ a }) => a.ok);
  const names = (list: typeof indexed) => list.map(({ a }) => `${a.mode}${a.via ? ` via ${a.via}` : ""}`).join(", ");
  const first = ok[0] ?? indexed[0];
  return {
    met: ok.length > 0,
    actual: ok.length > 0 ? `${ok.length} of ${indexed.length} connected (${names(ok)})` : `none of ${indexed.length} connected (${names(indexed)})`,
    path: `/connectivity/${first?.i ?? 0}`,
  };
}

/** The remote connection's RTT is the real one; without it, every configured server must be that close. */
function rtt(e: Extract<Expectation, { kind: "rtt" }>, facts: Facts): Outcome {
  const attempts = facts.connectivity ?? [];
  const remote = attempts.findIndex((a) => a.mode === "remote" && a.ok && typeof a.rttMs === "number");
  if (remote >= 0) {
    const value = attempts[remote]?.rttMs ?? 0;
    return { met: value < e.maxMs, actual: `remote connection RTT ${ms(value)}`, path: `/connectivity/${remote}/rttMs` };
  }
  const timed = facts.servers.filter((s) => s.ok && typeof s.rttMs === "number");
  if (timed.length === 0) return notMeasured("no server answered and no remote connection measured an RTT");
  const slowest = timed.reduce((a, b) => ((b.rttMs ?? 0) > (a.rttMs ?? 0) ? b : a));
  const value = slowest.rttMs ?? 0;
  return { met: value < e.maxMs, actual: `slowest ICE server RTT ${ms(value)} (${slowest.url})`, path: `/servers/${slowest.index}/rttMs` };
}

/** Audio through the remote peer, per direction: the far side's receiver reports prove ours arrived; RTP that arrived proves theirs. */
function media(e: Extract<Expectation, { kind: "media" }>, facts: Facts): Outcome {
  const remote = remoteAttempt(facts);
  if (!remote) return notMeasured(NO_REMOTE);
  const { fact: attempt, base } = remote;
  const m = attempt.media;
  if (!m && attempt.ok) return notMeasured("no audio was offered (turned off with {option:remote.audio})");
  if (!m) return { met: false, actual: `no audio was exchanged: the connection stalled in ${attempt.stalledIn ?? "setup"}`, path: base };
  if (m.sent.packets === 0) return { met: false, actual: `no audio was sent: DTLS did not complete (${attempt.dtls?.state ?? attempt.dtlsState ?? "no DTLS state"})`, path: `${base}/media/sent` };
  const sendOk = outboundOf(m) === "reached";
  const receiveOk = inboundFlows(m);
  if (e.direction !== "send" && m.offeredDirection !== "sendrecv") {
    return notMeasured(`the offer's audio is ${m.offeredDirection} (WHIP only publishes), so no audio can come back`);
  }
  const send = { met: sendOk, actual: `to the far side: ${reportWords(m)}`, path: `${base}/media/farSideReports` };
  const receive = { met: receiveOk, actual: `from the far side: ${receivedWords(m)}`, path: `${base}/media/received` };
  if (e.direction === "send") return send;
  if (e.direction === "receive") return receive;
  const failed = !sendOk ? send : !receiveOk ? receive : undefined;
  return failed ?? { met: true, actual: `${send.actual}; ${receive.actual}`, path: `${base}/media` };
}

/** The remote call recovered from an ICE restart: accepted, reconnected, and the data channel echoes again. */
function restart(facts: Facts): Outcome {
  const remote = remoteAttempt(facts);
  if (!remote) return notMeasured(NO_REMOTE);
  const { fact: attempt, base } = remote;
  const r = attempt.restart;
  if (!r) return notMeasured(attempt.ok ? "no ICE restart was asked for (turn it on with {option:remote.restart})" : "the remote attempt did not connect, so no restart could be asked for");
  const path = `${base}/restart`;
  if (!r.accepted && r.refusal?.code === "local-error") return { met: false, actual: `the ICE restart could not be asked: ${r.refusal.detail}`, path: `${path}/refusal` };
  if (!r.accepted) return { met: false, actual: `the far end refused the ICE restart: ${r.refusal?.detail ?? "no reason given"}`, path: `${path}/refusal` };
  if (!r.reconnected) return { met: false, actual: `the far end accepted the ICE restart (${r.status ?? "?"}), and ICE did not connect again within ${r.boundMs} ms`, path: `${path}/reconnected` };
  const echoed = r.echo ? `, ${r.echo.received} of ${r.echo.sent} echoes after it` : "";
  const met = r.echo === undefined || r.echo.received > 0;
  return { met, actual: `reconnected ${r.timeToReconnectMs ?? "?"} ms after the ICE restart (${r.requestedBy})${echoed}`, path };
}

interface QualityRead {
  /** The figure compared, and where it sits below the path's quality fact. */
  value(q: QualityFact): number | undefined;
  field: string;
  met(value: number): boolean;
  words(value: number): string;
}

function qualityRead(e: QualityExpectation): QualityRead {
  switch (e.kind) {
    case "loss":
      return { value: (q) => q.lossPercent, field: "lossPercent", met: (v) => v < e.maxPercent, words: (v) => `${v}% loss` };
    case "mos":
      return { value: (q) => q.mos, field: "mos", met: (v) => v > e.min, words: (v) => `MOS ${v}` };
    case "jitter":
      return { value: (q) => q.jitterMs, field: "jitterMs", met: (v) => v < e.maxMs, words: (v) => `jitter ${ms(v)}` };
    case "bitrate":
      return {
        value: (q) => q.bitrate?.heldKbps,
        field: "bitrate/heldKbps",
        met: (v) => v > e.minKbps,
        words: (v) => `held ${v >= 1000 ? `${v / 1000} Mbit/s` : `${v} kbit/s`}`,
      };
  }
}

function pathName(a: ConnectivityFact): string {
  return `${a.mode}${a.via ? ` via ${a.via}` : ""}`;
}

/**
 * Every path that crosses a network (relays, the remote peer) must meet the bound; without one, the
 * loopbacks that were measured. The actual value named is the worst path's.
 */
function quality(e: QualityExpectation, facts: Facts): Outcome {
  const read = qualityRead(e);
  const measured = measuredPaths(facts).flatMap((p) => {
    const value = read.value(p.quality);
    return value === undefined ? [] : [{ p, value }];
  });
  if (measured.length === 0) {
    const skipped = (facts.connectivity ?? []).some((a) => a.ok && a.quality === undefined);
    return notMeasured(skipped ? "quality was not measured (turned off with {option:qualityDurationMs} 0)" : "no connected path had its quality measured");
  }
  const network = measured.filter(({ p }) => isNetworkPath(p.fact));
  const judged = network.length > 0 ? network : measured;
  const failing = judged.filter(({ value }) => !read.met(value));
  const shown = failing[0] ?? judged[0]!;
  const others = judged.length > 1 ? ` (${failing.length === 0 ? `all ${judged.length} paths` : `${failing.length} of ${judged.length} paths fail`})` : "";
  return { met: failing.length === 0, actual: `${pathName(shown.p.fact)}: ${read.words(shown.value)}${others}`, path: `${shown.p.base}/${read.field}` };
}

function outcomeOf(e: Expectation, facts: Facts): Outcome {
  switch (e.kind) {
    case "relay":
      return relay(e, facts);
    case "srflx":
      return srflx(facts);
    case "nat":
      return nat(e, facts);
    case "connect":
      return connect(e, facts);
    case "rtt":
      return rtt(e, facts);
    case "media":
      return media(e, facts);
    case "restart":
      return restart(facts);
    case "loss":
    case "mos":
    case "jitter":
    case "bitrate":
      return quality(e, facts);
  }
}

/** Pure: the same facts give the same results. */
export function evaluateExpectations(expectations: readonly Expectation[], facts: Facts): ExpectationResult[] {
  return expectations.map((e) => ({ expectation: e.text, ...outcomeOf(e, facts) }));
}
