import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { explain } from "../../../src/explain/explain.js";
import { decodeExplainInput } from "../../../src/explain/input.js";
import { sessionsFromDump } from "../../../src/explain/from-dump.js";
import { renderHuman } from "../../../src/report/human.js";
import { cliOptionName } from "../../../src/cli/option-flags.js";
import { expectValidReport } from "../../helpers/schema.js";

// Dumps a real Chromium 156 downloaded from chrome://webrtc-internals (scripts/capture-chrome-dumps.mjs;
// test/fixtures/README.md says how each was made). Each exists as Chrome's default .gz and as .txt.
const fixtures = new URL("../../fixtures/webrtc-internals/", import.meta.url);
const bytes = (file: string) => readFileSync(new URL(file, fixtures));
const sessions = (file: string) => sessionsFromDump(JSON.parse(decodeExplainInput(bytes(file))) as { PeerConnections: unknown });
const MDNS = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.local$/;
const BOTH = [".gz", ".txt"] as const;

function explained(file: string) {
  const { kind, report } = explain(bytes(file));
  expect(kind).toBe("webrtc-internals");
  expectValidReport(report);
  return report;
}

describe("the fixtures are Chrome's own downloads", () => {
  it.each(["chrome-healthy", "chrome-stuck-checking", "chrome-offer-before-gathering", "chrome-two-peers-trickle"])("%s: gzip and JSON from HeadlessChrome, mDNS hiding on", (name) => {
    expect([...bytes(`${name}.gz`).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    for (const ext of BOTH) {
      const dump = JSON.parse(decodeExplainInput(bytes(`${name}${ext}`))) as { UserAgent: string; PeerConnections: Record<string, { updateLog: { type: string; value: string }[] }> };
      expect(dump.UserAgent).toMatch(/HeadlessChrome\/156\./);
      const candidates = Object.values(dump.PeerConnections).flatMap((pc) => pc.updateLog.filter((e) => e.type === "onicecandidate"));
      expect(candidates.length).toBeGreaterThan(0);
      for (const e of candidates) expect((JSON.parse(e.value) as { candidate: string }).candidate.split(" ")[4]).toMatch(MDNS);
    }
  });
});

describe("explain on a healthy real dump", () => {
  it.each(BOTH)("%s: no finding, the selected pair named from the log although the stats hide our address", (ext) => {
    const report = explained(`chrome-healthy${ext}`);
    expect(report.findings).toEqual([]);
    expect(report.explain?.peerConnection).toMatchObject({ reason: "last-with-remote", connected: true, lastIceState: "connected", others: [] });
    const pairs = report.session?.pairs ?? [];
    // One pair per address family; which of them ends up checked and selected varies from run to run.
    expect(pairs).toHaveLength(2);
    const selected = pairs.filter((p) => p.selected);
    expect(selected).toHaveLength(1);
    // Chrome's stats give "" for our mDNS candidates; the icecandidate with the same foundation and port names it.
    expect(selected[0]).toMatchObject({ state: "succeeded", nominated: true, local: { type: "host", protocol: "udp", addressClass: "mdns" }, remote: { type: "host", addressClass: expect.stringMatching(/^(public|private)$/) } });
    expect(selected[0]?.local.address).toMatch(MDNS);
    expect(report.session?.gathered?.map((c) => c.address)).toContain(selected[0]?.local.address);
    expect(selected[0]?.responsesReceived).toBeGreaterThan(0);
    expect(renderHuman(report, { color: false, optionName: cliOptionName })).toMatch(/^ {4}\* host udp \S+\.local:\d+ \(mdns\) -> host udp \S+ \((public|private)\) {2}succeeded, nominated, selected;/m);
  });

  it("reads current Chrome's log: setLocalDescription() logs no SDP, its OnSuccess does; the browser's candidates are not counted as sent", () => {
    const [s] = sessions("chrome-healthy.txt");
    expect(s?.session.local).toMatchObject({ type: "offer", candidates: [] });
    expect(s?.session.remote?.type).toBe("answer");
    expect(s?.session.remote?.candidates.map((c) => c.address)).toEqual(["192.0.2.2", "fd00::2"]);
    // The page sent its offer after gathering, but a dump of one browser cannot see that: unknown, not "none".
    expect(s?.session.trickled).toEqual({ remote: [] });
    expect(s?.session.gathered?.map((c) => c.addressClass)).toEqual(["mdns", "mdns"]);
    expect(s?.session.iceStates).toEqual(["checking", "connected"]);
    expect(s?.connectionStates).toEqual(["connecting", "connected"]);
  });
});

describe("explain on a real dump of a call whose far side never sends audio", () => {
  it.each(BOTH)("%s: the browser's audio reaches the far side, nothing comes back: media-one-way, from the stats", (ext) => {
    const report = explained(`chrome-audio-far-side-silent${ext}`);
    const media = report.session?.media;
    expect(media).toMatchObject({ kind: "audio", codec: "opus/48000/2", offeredDirection: "sendrecv", answeredDirection: "sendrecv", received: { packets: 0, ssrcs: 0 } });
    expect(media?.sent.packets).toBeGreaterThan(0);
    expect(media?.durationMs).toBeGreaterThan(0);
    // Chrome's remote-inbound-rtp: the far side's receiver reports counted the browser's packets.
    expect(media?.farSideReports.count).toBeGreaterThan(0);
    expect(media?.farSideReports.packetsReceived).toBeGreaterThan(0);
    expect(report.findings.map((f) => [f.id, f.message])).toEqual([["media-one-way", "to-far-side-only"]]);
    expect(report.findings[0]?.evidence.map((e) => e.path)).toEqual(["/session/media/sent", "/session/media/farSideReports", "/session/media/received"]);
    expect(report.findings[0]?.explanation).toMatch(/^Audio flows one way only: from the browser to the far side\./);
    expect(renderHuman(report, { color: false, optionName: cliOptionName })).toMatch(/^ {4}<- from the far side: nothing received$/m);
  });

  it("is Chrome's own download; with the microphone granted, Chrome shows its real addresses, not mDNS names", () => {
    expect([...bytes("chrome-audio-far-side-silent.gz").subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const dump = JSON.parse(decodeExplainInput(bytes("chrome-audio-far-side-silent.txt"))) as { UserAgent: string; PeerConnections: Record<string, { updateLog: { type: string; value: string }[] }> };
    expect(dump.UserAgent).toMatch(/HeadlessChrome\/156\./);
    const candidates = Object.values(dump.PeerConnections).flatMap((pc) => pc.updateLog.filter((e) => e.type === "onicecandidate"));
    expect(candidates.length).toBeGreaterThan(0);
    for (const e of candidates) expect((JSON.parse(e.value) as { candidate: string }).candidate.split(" ")[4]).not.toMatch(MDNS);
  });

  it("a dump without audio has no media fact", () => {
    expect(explained("chrome-healthy.txt").session?.media).toBeUndefined();
  });
});

describe("explain on a real dump stuck in checking", () => {
  it.each(BOTH)("%s: the far side's checks arrive, ours are never answered: checks-unanswered names both sides' candidates", (ext) => {
    const report = explained(`chrome-stuck-checking${ext}`);
    expect(report.findings.map((f) => `${f.id}/${f.message}`)).toEqual(["checks-unanswered/far-side-cannot-hear-us"]);
    expect(report.explain?.peerConnection).toMatchObject({ reason: "not-connected", connected: false });
    const pairs = report.session?.pairs ?? [];
    expect(pairs.length).toBe(2);
    expect(pairs.every((p) => p.state === "in-progress" && (p.requestsSent ?? 0) >= 5 && p.responsesReceived === 0)).toBe(true);
    const heard = pairs.filter((p) => (p.requestsReceived ?? 0) > 0);
    expect(heard.length).toBeGreaterThan(0);
    const facts = report.findings[0]?.evidence.map((e) => e.fact) ?? [];
    for (const p of pairs) expect(facts.join("\n")).toContain(`${p.remote.family === 6 ? `[${p.remote.address}]` : p.remote.address}:${p.remote.port}`);
    expect(facts.find((f) => f.startsWith("the far side's checks arrived"))).toContain(heard[0]?.local.address);
  });
});

describe("explain on a real dump whose offer left before gathering", () => {
  it.each(BOTH)("%s: sdp-without-candidates first, then the checks neither side's peer answered", (ext) => {
    const report = explained(`chrome-offer-before-gathering${ext}`);
    expect(report.findings.map((f) => `${f.id}/${f.message}`)).toEqual(["sdp-without-candidates/far-side-never-checked", "checks-unanswered/far-side-silent"]);
    const [early] = report.findings;
    expect(early?.evidence.map((e) => e.path)).toEqual(["/session/local/candidates", "/session/local/endOfCandidates", "/session/gathered", "/session/pairs"]);
    expect(early?.evidence[2]?.fact).toMatch(/^the browser found afterwards: host udp \S+\.local:\d+ \(mdns\), host udp \S+\.local:\d+ \(mdns\)$/);
    expect(report.session?.pairs?.every((p) => p.requestsReceived === 0)).toBe(true);
  });
});

describe("a page holding both ends: what reached the other side counts as trickled", () => {
  it.each(BOTH)("%s: each connection's icecandidates are the other's addIceCandidates; the refused one is not counted", (ext) => {
    const [a, b] = sessions(`chrome-two-peers-trickle${ext}`);
    expect(a?.session.local?.type).toBe("offer");
    expect(b?.session.local?.type).toBe("answer");
    for (const [self, other] of [
      [a, b],
      [b, a],
    ] as const) {
      expect(self?.session.trickled?.local?.map((c) => `${c.address}:${c.port}`)).toEqual(other?.session.trickled?.remote?.filter((c) => c.address !== "127.0.0.1").map((c) => `${c.address}:${c.port}`));
      expect(self?.session.trickled?.local).toHaveLength(2);
    }
    // The page also handed 9-1 a candidate with sdpMid "9", which Chrome refused (addIceCandidateFailed).
    expect(a?.session.trickled?.remote?.map((c) => c.address)).not.toContain("127.0.0.1");
    expect(a?.session.trickled?.remote).toHaveLength(2);
    expect(a?.connected && b?.connected).toBe(true);
    const report = explained(`chrome-two-peers-trickle${ext}`);
    // Both connected: the last that exchanged descriptions; no finding (two peers on one link resolve each other's .local names).
    expect(report.explain?.peerConnection).toMatchObject({ id: b?.id, reason: "last-with-remote", others: [{ id: a?.id, connected: true }] });
    expect(report.findings).toEqual([]);
    expect(report.session?.pairs?.find((p) => p.selected)).toMatchObject({ state: "succeeded", local: { addressClass: "mdns" }, remote: { addressClass: "mdns" } });
  });

  it("the connection that never connected is chosen from a page that also holds a healthy one", () => {
    // Two real downloads put side by side under distinct ids (what one page with both calls would give).
    const healthy = JSON.parse(bytes("chrome-healthy.txt").toString()) as { PeerConnections: Record<string, unknown> };
    const stuck = JSON.parse(bytes("chrome-stuck-checking.txt").toString()) as { PeerConnections: Record<string, unknown> };
    const both = { ...healthy, PeerConnections: { "7-1": Object.values(stuck.PeerConnections)[0], "7-2": Object.values(healthy.PeerConnections)[0] } };
    const { report } = explain(JSON.stringify(both));
    expect(report.explain?.peerConnection).toMatchObject({ id: "7-1", reason: "not-connected", others: [{ id: "7-2", connected: true }] });
    expect(report.findings[0]?.id).toBe("checks-unanswered");
  });
});
