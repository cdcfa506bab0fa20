import { describe, expect, it } from "vitest";
import type { ConnectivityFact, DtlsFact, Facts, MediaFact } from "../../../src/facts/index.js";
import { dtlsNotCompleted } from "../../../src/rules/dtls-not-completed.js";
import { mediaOneWay } from "../../../src/rules/media-one-way.js";
import { noAudioFromFarSide } from "../../../src/rules/no-audio-from-far-side.js";
import { rules, runRules } from "../../../src/rules/index.js";
import { healthyFacts } from "../../helpers/facts.js";
import { hitsOf, kinds, reported } from "../../helpers/rule-tester.js";

const local = { type: "host" as const, protocol: "udp" as const, address: "10.77.0.2", port: 40000, component: 1, addressClass: "private" as const, family: 4 as const };
const remote = { ...local, address: "10.88.0.2", port: 50000 };

/** Shaped like a healthy remote attempt against serve (test/integration/media-remote.test.ts prints one). */
function media(overrides: Partial<MediaFact> = {}): MediaFact {
  return {
    kind: "audio",
    codec: "opus/48000/2",
    offeredDirection: "sendrecv",
    answeredDirection: "sendrecv",
    durationMs: 3001,
    sent: { packets: 150, bytes: 19656, firstAtMs: 415 },
    rtcpReceived: 7,
    farSideReports: { count: 3, packetsReceived: 98, packetsLost: 0, fractionLostPct: 0, jitterMs: 0.8, rttMs: 4.8 },
    received: { packets: 150, bytes: 19656, ssrcs: 1, firstAtMs: 426, lost: 0, jitterMs: 1.5 },
    ...overrides,
  };
}

function dtls(overrides: Partial<DtlsFact> = {}): DtlsFact {
  return { state: "connected", role: "server", srtpProfile: "SRTP_AEAD_AES_128_GCM", fingerprintVerified: true, startedAtMs: 200, handshakeMs: 163, datagramsSent: 13, datagramsReceived: 13, ...overrides };
}

function attempt(overrides: Partial<ConnectivityFact> = {}): ConnectivityFact {
  return {
    mode: "remote",
    via: "http://198.51.100.20:7860/api/offer",
    ok: true,
    durationMs: 3800,
    iceStates: [{ state: "checking", atMs: 150 }, { state: "connected", atMs: 200 }],
    timeToConnectedMs: 200,
    selectedPair: { local, remote },
    pairs: [],
    localCandidates: [local],
    remoteCandidates: [remote],
    dtlsState: "connected",
    dtls: dtls(),
    media: media(),
    ...overrides,
  };
}

/** ICE connected, DTLS did not: the data channel never opened and the attempt stalled in dtls. */
function dtlsStalled(d: Partial<DtlsFact>): ConnectivityFact {
  return attempt({ ok: false, stalledIn: "dtls", dtlsState: d.state ?? "connecting", dtls: dtls({ handshakeMs: undefined, srtpProfile: undefined, fingerprintVerified: undefined, ...d }), media: media({ durationMs: 0, sent: { packets: 0, bytes: 0 }, rtcpReceived: 0, farSideReports: { count: 0 }, received: { packets: 0, bytes: 0, ssrcs: 0 } }) });
}

const withConnectivity = (...attempts: ConnectivityFact[]): Facts => ({ ...healthyFacts(), connectivity: attempts });

describe("dtls-not-completed", () => {
  it("a certificate that does not match the answer's fingerprint is named, with both fingerprints, and hides connection-stalled", () => {
    const fact = dtlsStalled({
      state: "failed",
      fingerprintVerified: false,
      expectedFingerprint: "sha-256 00:11:22",
      certificateFingerprint: "sha-256 AA:BB:CC",
      datagramsSent: 6,
      datagramsReceived: 5,
    });
    expect(hitsOf(dtlsNotCompleted, withConnectivity(fact))).toEqual([
      {
        rule: "dtls-not-completed",
        message: "fingerprint-mismatch",
        severity: "error",
        evidence: ["/connectivity/0/iceStates", "/connectivity/0/dtls/expectedFingerprint", "/connectivity/0/dtls/certificateFingerprint"],
        subjects: ["/connectivity/0"],
      },
    ]);
    const [hit] = dtlsNotCompleted.check(withConnectivity(fact));
    expect(hit?.evidence[1]?.fact).toContain("sha-256 00:11:22");
    expect(hit?.evidence[2]?.fact).toContain("sha-256 AA:BB:CC");
    expect(kinds(reported(runRules(rules, withConnectivity(fact))))).not.toContain("connection-stalled/remote-stalled");
    expect(kinds(reported(runRules(rules, withConnectivity(fact))))).toContain("dtls-not-completed/fingerprint-mismatch");
  });

  it("no DTLS datagram back over a pair that carries STUN is DTLS dropped on the path", () => {
    const fact = dtlsStalled({ state: "connecting", datagramsSent: 0, datagramsReceived: 0 });
    expect(kinds(hitsOf(dtlsNotCompleted, withConnectivity(fact)))).toEqual(["dtls-not-completed/dropped-on-path"]);
    expect(hitsOf(dtlsNotCompleted, withConnectivity(fact))[0]?.evidence).toEqual(["/connectivity/0/iceStates", "/connectivity/0/dtls/datagramsReceived"]);
  });

  it("DTLS both ways without completion is an incomplete handshake", () => {
    const fact = dtlsStalled({ state: "connecting", datagramsSent: 9, datagramsReceived: 4 });
    expect(kinds(hitsOf(dtlsNotCompleted, withConnectivity(fact)))).toEqual(["dtls-not-completed/handshake-incomplete"]);
  });

  it("stays silent when DTLS connected, when ICE never connected, and without DTLS facts", () => {
    expect(dtlsNotCompleted.check(withConnectivity(attempt()))).toEqual([]);
    const checking = { ...dtlsStalled({ state: "new", datagramsReceived: 0 }), iceStates: [{ state: "checking", atMs: 150 }], timeToConnectedMs: undefined, stalledIn: "checking" as const };
    expect(dtlsNotCompleted.check(withConnectivity(checking))).toEqual([]);
    expect(dtlsNotCompleted.check(withConnectivity(attempt({ dtls: undefined, ok: false })))).toEqual([]);
    // A handshake that completed and was closed later by the far side is no DTLS failure.
    expect(dtlsNotCompleted.check(withConnectivity(attempt({ dtls: dtls({ state: "closed" }) })))).toEqual([]);
  });
});

describe("media-one-way and no-audio-from-far-side", () => {
  const nothingBack = { packets: 0, bytes: 0, ssrcs: 0 };

  it("audio that reaches the far side with nothing back is one-way, to the far side", () => {
    const facts = withConnectivity(attempt({ media: media({ received: nothingBack }) }));
    expect(hitsOf(mediaOneWay, facts)).toEqual([
      {
        rule: "media-one-way",
        message: "to-far-side-only",
        severity: "error",
        evidence: ["/connectivity/0/media/sent", "/connectivity/0/media/farSideReports", "/connectivity/0/media/received"],
        subjects: ["/connectivity/0"],
      },
    ]);
    expect(mediaOneWay.check(facts)[0]?.evidence[1]?.fact).toContain("count 98 packets received");
    expect(noAudioFromFarSide.check(facts)).toEqual([]);
  });

  it("a far side whose answer is recvonly is named as only receiving", () => {
    const facts = withConnectivity(attempt({ media: media({ answeredDirection: "recvonly", received: nothingBack }) }));
    expect(kinds(hitsOf(mediaOneWay, facts))).toEqual(["media-one-way/to-far-side-only-declared"]);
    expect(hitsOf(mediaOneWay, facts)[0]?.severity).toBe("warning");
    expect(hitsOf(mediaOneWay, facts)[0]?.evidence[0]).toBe("/connectivity/0/media/answeredDirection");
  });

  it("far-side audio arriving while its reports count none of ours is one-way, from the far side", () => {
    const facts = withConnectivity(attempt({ media: media({ farSideReports: { count: 2, packetsReceived: 0, packetsLost: 0 } }) }));
    expect(kinds(hitsOf(mediaOneWay, facts))).toEqual(["media-one-way/from-far-side-only"]);
  });

  it("far-side reports that never carry a block about our stream count as ours not arriving; one alone proves nothing", () => {
    const none = (withoutOurs: number) => withConnectivity(attempt({ media: media({ farSideReports: { count: 0, withoutOurs } }) }));
    expect(kinds(hitsOf(mediaOneWay, none(3)))).toEqual(["media-one-way/from-far-side-only"]);
    expect(mediaOneWay.check(none(3))[0]?.evidence[1]?.fact).toContain("none with a block about rtc-doctor's audio");
    expect(mediaOneWay.check(none(1))).toEqual([]);
  });

  it("no RTP and no report back is no audio from the far side", () => {
    const facts = withConnectivity(attempt({ media: media({ rtcpReceived: 0, farSideReports: { count: 0 }, received: nothingBack }) }));
    expect(hitsOf(noAudioFromFarSide, facts)).toEqual([
      {
        rule: "no-audio-from-far-side",
        message: "silent-far-side",
        severity: "error",
        evidence: ["/connectivity/0/media/answeredDirection", "/connectivity/0/media/sent", "/connectivity/0/media/farSideReports", "/connectivity/0/media/received"],
        subjects: ["/connectivity/0"],
      },
    ]);
    expect(mediaOneWay.check(facts)).toEqual([]);
  });

  it("judge an explained dump's session media the same way, in the browser's words and at /session", () => {
    const dumped = (m: MediaFact): Facts => ({ ...healthyFacts(), session: { source: "webrtc-internals", media: m } });
    const fromFarSide = dumped(media({ farSideReports: { count: 2, packetsReceived: 0, packetsLost: 0 } }));
    expect(hitsOf(mediaOneWay, fromFarSide)).toEqual([
      { rule: "media-one-way", message: "from-far-side-only", severity: "error", evidence: ["/session/media/sent", "/session/media/farSideReports", "/session/media/received"], subjects: ["/session"] },
    ]);
    expect(mediaOneWay.check(fromFarSide)[0]?.explanation).toContain("none of the browser's 150 packets reached it");
    expect(kinds(hitsOf(noAudioFromFarSide, dumped(media({ rtcpReceived: 0, farSideReports: { count: 0 }, received: nothingBack }))))).toEqual(["no-audio-from-far-side/silent-far-side"]);
    // A live check's session (made from its remote attempt) carries no media: the attempt's is judged once.
    expect(mediaOneWay.check({ ...healthyFacts(), session: { source: "connectivity", media: media({ received: nothingBack }) } })).toEqual([]);
  });

  it("stay silent when audio flows both ways, when WHIP only published, and when nothing was sent", () => {
    expect(mediaOneWay.check(withConnectivity(attempt()))).toEqual([]);
    expect(noAudioFromFarSide.check(withConnectivity(attempt()))).toEqual([]);
    const whip = attempt({ media: media({ offeredDirection: "sendonly", answeredDirection: "recvonly", received: nothingBack }) });
    expect(mediaOneWay.check(withConnectivity(whip))).toEqual([]);
    expect(noAudioFromFarSide.check(withConnectivity(whip))).toEqual([]);
    const dead = dtlsStalled({ state: "connecting", datagramsReceived: 0 });
    expect(mediaOneWay.check(withConnectivity(dead))).toEqual([]);
    expect(noAudioFromFarSide.check(withConnectivity(dead))).toEqual([]);
  });
});
