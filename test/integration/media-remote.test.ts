import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ConnectivityFact, Facts } from "../../src/facts/index.js";
import { connectRemote, type RemoteOptions } from "../../src/probes/connect/remote.js";
import { rules, runRules } from "../../src/rules/index.js";
import { startServe, type RunningServe } from "../../src/serve/server.js";
import { aiortcMissing, startAiortcFarEnd, type AiortcFarEnd } from "../helpers/aiortc-far-end.js";
import { startFront, type Front } from "../helpers/http-front.js";
import { kinds, reported } from "../helpers/rule-tester.js";
import { classify, firstUdp4Candidate, onlyCandidate, startUdpMiddlebox } from "../helpers/udp-middlebox.js";
import { startWrtcFarEnd, type WrtcFarEnd } from "../helpers/wrtc-far-end.js";

// Bounds only; no assertion depends on a duration.
const BASE = { trickle: false, gatherTimeoutMs: 5000, httpTimeoutMs: 8000, connectTimeoutMs: 10_000, echoCount: 3, iceServers: [] };
const run = (overrides: Partial<RemoteOptions> & Pick<RemoteOptions, "url" | "protocol">) => connectRemote({ ...BASE, ...overrides });

function findingsOf(fact: ConnectivityFact): string[] {
  const facts: Facts = { config: { usedDefaultServers: false, timeoutMs: 3000, stunCount: 0, turnCount: 0 }, servers: [], gathering: [], candidates: [], connectivity: [fact] };
  return kinds(reported(runRules(rules, facts)));
}

const MEDIA_RULES = /^(dtls-not-completed|media-one-way|no-audio-from-far-side)\//;

/** DTLS completed and was checked against the answer's fingerprint; SRTP keyed from it. */
function expectDtlsOk(fact: ConnectivityFact): void {
  expect(fact.dtls).toMatchObject({ state: "connected", fingerprintVerified: true });
  expect(["client", "server"]).toContain(fact.dtls?.role);
  expect(fact.dtls?.srtpProfile).toMatch(/^SRTP_/);
  expect(fact.dtls?.handshakeMs).toBeGreaterThanOrEqual(0);
  expect(fact.dtls?.datagramsReceived).toBeGreaterThan(0);
}

/** Opus went out, the far side's receiver reports count it, and its audio came back. */
function expectBothWays(fact: ConnectivityFact): void {
  expect(fact.error, JSON.stringify(fact.error)).toBeUndefined();
  expect(fact.ok).toBe(true);
  expectDtlsOk(fact);
  const media = fact.media;
  expect(media?.codec).toMatch(/^opus\/48000/);
  expect(media?.offeredDirection).toBe("sendrecv");
  expect(media?.answeredDirection).toBe("sendrecv");
  expect(media?.sent.packets).toBeGreaterThan(0);
  expect(media?.farSideReports.count).toBeGreaterThan(0);
  expect(media?.farSideReports.packetsReceived).toBeGreaterThan(0);
  expect(media?.farSideReports.packetsReceived).toBeLessThanOrEqual(media?.sent.packets ?? 0);
  expect(media?.farSideReports.jitterMs).toBeGreaterThanOrEqual(0);
  expect(media?.received.packets).toBeGreaterThan(0);
  expect(media?.received.bytes).toBeGreaterThan(0);
  expect(findingsOf(fact).filter((k) => MEDIA_RULES.test(k))).toEqual([]);
}

describe("audio through the remote peer: rtc-doctor serve (werift, echoes audio)", () => {
  let serve: RunningServe;
  beforeAll(async () => {
    serve = await startServe({ host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await serve?.close();
  });

  test("Pipecat: Opus goes out, serve's receiver reports count it (loss, jitter, RTT) and the echo comes back", async () => {
    const fact = await run({ url: `${serve.url}/api/offer`, protocol: "pipecat" });
    expectBothWays(fact);
    // RTT from the far side's LSR/DLSR against rtc-doctor's own sender reports.
    expect(fact.media?.farSideReports.rttMs).toBeGreaterThanOrEqual(0);
    expect(fact.media?.farSideReports.packetsLost).toBe(0);
    expect(fact.media?.received.ssrcs).toBe(1);
  });

  test("WHIP publishes only: sendonly audio that serve's reports count, nothing expected back, no finding", async () => {
    const fact = await run({ url: `${serve.url}/whip`, protocol: "whip" });
    expect(fact.ok).toBe(true);
    expectDtlsOk(fact);
    expect(fact.media).toMatchObject({ offeredDirection: "sendonly", answeredDirection: "recvonly" });
    expect(fact.media?.farSideReports.packetsReceived).toBeGreaterThan(0);
    expect(fact.media?.received.packets).toBe(0);
    expect(findingsOf(fact).filter((k) => MEDIA_RULES.test(k))).toEqual([]);
  });

  test("an answer whose fingerprint a proxy rewrote: DTLS fails for real and the mismatch is named", async () => {
    const front: Front = await startFront({
      backend: serve.url,
      transform: (_req, body) => {
        const answer = JSON.parse(body) as { sdp: string };
        // The same certificate's fingerprint with its first byte changed: a certificate nobody has.
        answer.sdp = answer.sdp.replace(/^(a=fingerprint:\S+ )([0-9A-F]{2})/gim, (_m, head: string, byte: string) => `${head}${byte.toUpperCase() === "00" ? "01" : "00"}`);
        return JSON.stringify(answer);
      },
    });
    try {
      const fact = await run({ url: `${front.url}/api/offer`, protocol: "pipecat", connectTimeoutMs: 5000 });
      expect(fact.ok).toBe(false);
      expect(fact.stalledIn).toBe("dtls");
      expect(fact.dtls).toMatchObject({ state: "failed", fingerprintVerified: false });
      expect(fact.dtls?.expectedFingerprint).toMatch(/^sha-256 (00|01):/);
      expect(fact.dtls?.certificateFingerprint).toMatch(/^sha-256 [0-9A-F:]+$/);
      expect(fact.dtls?.certificateFingerprint).not.toBe(fact.dtls?.expectedFingerprint);
      expect(fact.media?.sent.packets).toBe(0);
      const found = findingsOf(fact);
      expect(found).toContain("dtls-not-completed/fingerprint-mismatch");
      expect(found).not.toContain("connection-stalled/remote-stalled");
    } finally {
      await front.close();
    }
  });
});

describe("audio through the remote peer: libwebrtc (@roamhq/wrtc) far ends", () => {
  let tone: WrtcFarEnd;
  let listener: WrtcFarEnd;
  beforeAll(async () => {
    tone = await startWrtcFarEnd(5000, "tone");
    listener = await startWrtcFarEnd(5000, "receive-only");
  });
  afterAll(async () => {
    await tone?.close();
    await listener?.close();
  });

  test("a far end that sends a tone: audio flows both ways", async () => {
    expectBothWays(await run({ url: `${tone.url}/api/offer`, protocol: "pipecat" }));
  });

  test("a far end that only receives is named one-way (to the far side only)", async () => {
    const fact = await run({ url: `${listener.url}/api/offer`, protocol: "pipecat" });
    expect(fact.ok).toBe(true);
    expect(fact.media?.answeredDirection).toBe("recvonly");
    expect(fact.media?.farSideReports.packetsReceived).toBeGreaterThan(0);
    expect(fact.media?.received.packets).toBe(0);
    expect(findingsOf(fact)).toContain("media-one-way/to-far-side-only-declared");
  });
});

const noAiortc = aiortcMissing();
describe.skipIf(noAiortc !== undefined)("audio through the remote peer: aiortc far ends", () => {
  let echo: AiortcFarEnd;
  let listener: AiortcFarEnd;
  beforeAll(async () => {
    echo = await startAiortcFarEnd({ audio: "echo" });
    listener = await startAiortcFarEnd({ audio: "receive-only" });
  });
  afterAll(async () => {
    await echo?.stop();
    await listener?.stop();
  });

  test("a far end that echoes (decodes and encodes again): audio flows both ways", async () => {
    expectBothWays(await run({ url: `http://127.0.0.1:${echo.port}/api/offer`, protocol: "pipecat" }));
  });

  test("a far end that only receives is named one-way", async () => {
    const fact = await run({ url: `http://127.0.0.1:${listener.port}/api/offer`, protocol: "pipecat" });
    expect(fact.ok).toBe(true);
    expect(fact.media?.farSideReports.packetsReceived).toBeGreaterThan(0);
    expect(fact.media?.received.packets).toBe(0);
    expect(findingsOf(fact).filter((k) => k.startsWith("media-one-way/"))).toHaveLength(1);
  });
});

/**
 * An attempt through a UDP box: each side is told only the box's address (the front rewrites the
 * offer's and the answer's candidates), so ICE really connects through it, and `drop` is the path.
 */
async function throughBox(backend: string, drop: Parameters<typeof startUdpMiddlebox>[0], connectTimeoutMs = 5000) {
  const box = await startUdpMiddlebox(drop);
  const front = await startFront({
    backend,
    transformRequest: (req) => {
      const offer = JSON.parse(req.body) as { sdp: string };
      return JSON.stringify({ ...offer, sdp: onlyCandidate(offer.sdp, box.farSide) });
    },
    transform: (_req, body) => {
      const answer = JSON.parse(body) as { sdp: string };
      const real = firstUdp4Candidate(answer.sdp);
      if (real) box.setFar(real);
      return JSON.stringify({ ...answer, sdp: onlyCandidate(answer.sdp, box.clientSide) });
    },
  });
  try {
    const fact = await run({ url: `${front.url}/api/offer`, protocol: "pipecat", connectTimeoutMs });
    return { fact, box };
  } finally {
    await front.close();
    await box.close();
  }
}

describe("through a UDP box on the path", () => {
  let serve: RunningServe;
  let tone: WrtcFarEnd;
  beforeAll(async () => {
    serve = await startServe({ host: "127.0.0.1", port: 0 });
    tone = await startWrtcFarEnd(5000, "tone");
  });
  afterAll(async () => {
    await serve?.close();
    await tone?.close();
  });

  test("that passes everything (the control): audio both ways", async () => {
    const { fact, box } = await throughBox(serve.url, () => false);
    expect(box.forwarded["rtp"]).toBeGreaterThan(0);
    expectBothWays(fact);
  });

  test("that passes STUN and drops DTLS: ICE connects, DTLS dropped on the path is named", async () => {
    const { fact, box } = await throughBox(serve.url, (d) => classify(d) === "dtls");
    expect(box.forwarded["stun"]).toBeGreaterThan(0);
    expect(box.dropped["dtls"]).toBeGreaterThan(0);
    expect(fact.timeToConnectedMs).toBeGreaterThan(0);
    expect(fact.ok).toBe(false);
    expect(fact.stalledIn).toBe("dtls");
    expect(fact.dtls?.datagramsReceived).toBe(0);
    expect(fact.dtls?.state).not.toBe("connected");
    expect(findingsOf(fact)).toContain("dtls-not-completed/dropped-on-path");
  });

  test("that drops rtc-doctor's RTP to libwebrtc: its audio arrives, its reports carry none of ours, named one-way from the far side", async () => {
    const { fact, box } = await throughBox(tone.url, (d, direction) => direction === "to-far" && classify(d) === "rtp");
    expect(box.dropped["rtp"]).toBeGreaterThan(0);
    expect(fact.ok).toBe(true);
    expect(fact.media?.received.packets).toBeGreaterThan(0);
    expect(fact.media?.farSideReports.count).toBe(0);
    expect(fact.media?.farSideReports.withoutOurs).toBeGreaterThanOrEqual(2);
    expect(findingsOf(fact)).toContain("media-one-way/from-far-side-only");
  });
});
