import { describe, expect, it } from "vitest";
import { explain } from "../../../src/explain/explain.js";
import { ExplainInputError } from "../../../src/explain/errors.js";
import { pickSession, sessionsFromDump } from "../../../src/explain/from-dump.js";
import { renderHuman } from "../../../src/report/human.js";
import { cliOptionName } from "../../../src/cli/option-flags.js";
import { expectValidReport } from "../../helpers/schema.js";
import { fixture } from "../../helpers/sessions.js";

type Dump = { PeerConnections: Record<string, unknown> } & Record<string, unknown>;
const dump = (name: string) => JSON.parse(fixture(`webrtc-internals/${name}`)) as Dump;
const THREE = "chrome-three-connections.json";

describe("explain on a dump with several peer connections", () => {
  it("diagnoses the one that never connected, and names it and the others in the report", () => {
    const { report } = explain(fixture(`webrtc-internals/${THREE}`));
    expectValidReport(report);
    expect(report.explain?.peerConnection).toMatchObject({ id: "48213-2", reason: "not-connected", connected: false, lastIceState: "checking", remoteDescription: true });
    expect(report.explain?.peerConnection?.others).toEqual([
      { id: "48213-1", url: "https://app.example/call", remoteDescription: true, connected: true, lastIceState: "connected" },
      { id: "48213-3", url: "https://app.example/call", remoteDescription: false, connected: false },
    ]);
    expect(report.findings[0]?.id).toBe("far-side-private-candidates");
    const human = renderHuman(report, { color: false, optionName: cliOptionName });
    expect(human).toMatch(/Peer connection 48213-2 .*never connected/);
    expect(human).toMatch(/Also in the dump: 48213-1 \(connected\), 48213-3 \(no remote description\); choose one by its id with --peer-connection$/m);
    expect(renderHuman(report, { color: false })).toMatch(/choose one by its id with `peerConnection`$/m);
  });

  it("--peer-connection picks the named one: the connected call is clean", () => {
    const { report } = explain(fixture(`webrtc-internals/${THREE}`), { peerConnection: "48213-1" });
    expectValidReport(report);
    expect(report.explain?.peerConnection).toMatchObject({ id: "48213-1", reason: "named", connected: true });
    expect(report.explain?.peerConnection?.others.map((o) => o.id)).toEqual(["48213-2", "48213-3"]);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.session?.pairs).toMatchObject([{ state: "succeeded", selected: true, nominated: true, requestsSent: 7, responsesReceived: 7 }]);
  });

  it("a 'completed' logged before any check is not a connection (werift logs one when gathering ends)", () => {
    const [stalled] = sessionsFromDump(dump("werift-relay-far-side-unreachable.json"));
    expect(stalled?.session.iceStates).toEqual(["completed", "checking"]);
    expect(stalled?.connected).toBe(false);
    expect(explain(fixture("webrtc-internals/werift-relay-far-side-unreachable.json")).report.explain?.peerConnection?.reason).toBe("not-connected");
    expect(sessionsFromDump(dump("werift-connected.json"))[0]?.connected).toBe(true);
  });

  it("an unknown --peer-connection is a one-line input error listing the ids", () => {
    expect(() => explain(fixture(`webrtc-internals/${THREE}`), { peerConnection: "1-9" })).toThrow(ExplainInputError);
    expect(() => explain(fixture(`webrtc-internals/${THREE}`), { peerConnection: "1-9" })).toThrow("no peer connection '1-9' (there are: 48213-1, 48213-2, 48213-3)");
  });

  it("when every answered connection connected: the last answered; when none was answered: the last", () => {
    const d = dump(THREE);
    delete d.PeerConnections["48213-2"];
    expect(pickSession(sessionsFromDump(d))).toMatchObject({ picked: { id: "48213-1" }, reason: "last-with-remote" });
    delete d.PeerConnections["48213-1"];
    expect(pickSession(sessionsFromDump(d))).toMatchObject({ picked: { id: "48213-3" }, reason: "last" });
    const { report } = explain(JSON.stringify(d));
    expectValidReport(report);
    expect(report.explain?.peerConnection).toMatchObject({ id: "48213-3", reason: "last", others: [] });
  });
});

describe("Chrome's dump spellings", () => {
  it("the middle generation: a JS-like rtcConfiguration string, icecandidate/iceconnectionstatechange, multi-line icecandidateerror", () => {
    const [, stuck] = sessionsFromDump(dump(THREE));
    expect(stuck?.iceServerUrls).toEqual(["stun:stun.l.google.com:19302", "turn:turn.example.com:3478?transport=udp"]);
    expect(stuck?.connectionStates).toEqual(["connecting"]);
    expect(stuck?.session.iceStates).toEqual(["checking"]);
    // The browser found them; the far side is not in the dump, so nothing shows they were sent.
    expect(stuck?.session.gathered?.map((c) => `${c.type} ${c.address}`)).toEqual(["host 192.168.1.23", "srflx 203.0.113.7"]);
    expect(stuck?.session.trickled?.local).toBeUndefined();
    // The value is "url: ...\naddress: ...\n...\nerror_text: ...\nerror_code: 701": each field ends at its line.
    expect(stuck?.session.candidateErrors).toEqual([{ errorCode: 701, url: "stun:stun.l.google.com:19302", errorText: "STUN binding request timed out." }]);
    // Stats values are JSON-encoded arrays: the last sample counts.
    expect(stuck?.session.pairs).toMatchObject([{ state: "in-progress", selected: false, requestsSent: 14, responsesReceived: 0 }]);
    const { report } = explain(fixture(`webrtc-internals/${THREE}`));
    expect(report.config).toMatchObject({ stunCount: 1, turnCount: 1 });
  });

  it("the old generation: onIceCandidate, iceConnectionStateChange, connectionStateChange, no UserAgent", () => {
    const d = dump("chrome-old-log-names.json");
    expect(Object.keys(d)).toEqual(["getUserMedia", "PeerConnections"]);
    const [s] = sessionsFromDump(d);
    expect(s?.session.gathered).toHaveLength(2);
    expect(s?.session.iceStates).toEqual(["checking", "failed"]);
    expect(s?.connectionStates).toEqual(["connecting", "failed"]);
    expect(s?.iceServerUrls).toEqual(["stun:stun.l.google.com:19302"]);
    const { report } = explain(fixture("webrtc-internals/chrome-old-log-names.json"));
    expectValidReport(report);
    expect(report.findings[0]?.id).toBe("far-side-private-candidates");
  });

  it("the current generation: on-prefixed events with JSON values, quoted states, a JSON rtcConfiguration, setLocalDescription() without SDP", () => {
    const [s] = sessionsFromDump(dump("chrome-json-values-mdns.json"));
    // setLocalDescription() logged no SDP: the offer createOfferOnSuccess logged is the local description.
    expect(s?.session.local?.type).toBe("offer");
    expect(s?.session.remote?.type).toBe("answer");
    expect(s?.session.iceStates).toEqual(["checking"]);
    expect(s?.connectionStates).toEqual(["connecting"]);
    expect(s?.session.gathered?.map((c) => c.addressClass)).toEqual(["mdns"]);
    expect(s?.session.trickled?.remote).toMatchObject([{ protocol: "tcp", tcpType: "active", addressClass: "mdns", mid: "0" }]);
    expect(s?.session.candidateErrors).toEqual([{ errorCode: 701, url: "stun:stun.l.google.com:19302", errorText: "STUN host lookup received error." }]);
    expect(s?.iceServerUrls).toEqual(["stun:stun.l.google.com:19302"]);
  });

  it("tolerates what dumps and hand edits vary: legacy state names, plain-array values, no statsType, no updateLog, setConfiguration", () => {
    const series = (values: unknown) => ({ startTime: "2025-03-14T09:21:07.412Z", endTime: "2025-03-14T09:21:08.412Z", values });
    const [a, b] = sessionsFromDump({
      PeerConnections: {
        "1-1": {
          rtcConfiguration: { iceServers: [{ urls: "stun:old.example:3478" }] },
          updateLog: [
            { type: "setConfiguration", value: '{"iceServers":[{"urls":["turns:relay.example:443?transport=tcp"]}]}' },
            { type: "iceConnectionStateChange", value: "kICEConnectionStateConnected" },
            { type: "addIceCandidateFailed", value: "sdpMid: 0, sdpMLineIndex: 0, candidate: candidate:1 1 udp 1 10.0.0.1 1 typ host" },
            { type: "icecandidate", value: "sdpMid: 0, sdpMLineIndex: 0, candidate: " },
            "not an event",
          ],
          stats: {
            "RTCTransport_0_1-selectedCandidatePairId": series(["RTCIceCandidatePair_a_b"]),
            "RTCIceCandidatePair_a_b-state": series(["in-progress", "succeeded"]),
            "RTCIceCandidatePair_a_b-localCandidateId": series(["RTCIceCandidate_a"]),
            "RTCIceCandidatePair_a_b-remoteCandidateId": series(["RTCIceCandidate_b"]),
            "RTCIceCandidate_a-address": series(["192.0.2.1"]),
            "RTCIceCandidate_a-port": series([5000]),
            "RTCIceCandidate_a-protocol": series(["udp"]),
            "RTCIceCandidate_a-candidateType": series(["host"]),
            "RTCIceCandidate_b-address": series(["198.51.100.2"]),
            "RTCIceCandidate_b-port": series([6000]),
            "RTCIceCandidate_b-protocol": series(["udp"]),
            "RTCIceCandidate_b-candidateType": series(["srflx"]),
            "RTCIceCandidate_b-broken": { values: "[not json" },
          },
        },
        "1-2": null,
      },
    });
    expect(a?.connected).toBe(true);
    expect(a?.session.iceStates).toEqual(["connected"]);
    expect(a?.iceServerUrls).toEqual(["turns:relay.example:443?transport=tcp"]);
    expect(a?.session.trickled).toEqual({ remote: [] });
    expect(a?.session.gathered).toBeUndefined();
    expect(a?.session.pairs).toMatchObject([{ state: "succeeded", selected: true, local: { address: "192.0.2.1" }, remote: { type: "srflx", port: 6000 } }]);
    expect(b).toMatchObject({ id: "1-2", connected: false, iceServerUrls: [], connectionStates: [] });
  });
});

describe("mDNS-only far side", () => {
  it("the answer is in Chrome's candidate format with <uuid>.local hosts", () => {
    const sdp = fixture("sdp/chrome-answer-mdns-only.sdp");
    const candidates = sdp.split("\r\n").filter((l) => l.startsWith("a=candidate:"));
    expect(candidates).toHaveLength(2);
    for (const line of candidates) {
      expect(line).toMatch(/^a=candidate:\d+ 1 udp \d+ [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.local \d+ typ host generation 0 network-cost 999$/);
    }
  });

  it("explain names far-side-mdns-only first, for the bare answer and for the dump that carries it", () => {
    const bare = explain(fixture("sdp/chrome-answer-mdns-only.sdp")).report;
    expectValidReport(bare);
    expect(bare.findings[0]?.id).toBe("far-side-mdns-only");
    expect(bare.session?.remote?.candidates.map((c) => c.addressClass)).toEqual(["mdns", "mdns"]);
    const fromDump = explain(fixture("webrtc-internals/chrome-json-values-mdns.json")).report;
    expectValidReport(fromDump);
    expect(fromDump.findings[0]?.id).toBe("far-side-mdns-only");
    expect(fromDump.findings[0]?.evidence.map((e) => e.fact)).toContain("host tcp active 7f3b4a52-5d1e-4c8f-9b2a-0e6d3c9f1a47.local:9 (mdns)");
    expect(fromDump.explain?.peerConnection).toMatchObject({ id: "96411-1", reason: "not-connected", others: [] });
  });
});
