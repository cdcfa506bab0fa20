import { describe, expect, it } from "vitest";
import { explain } from "../../../src/explain/explain.js";
import { expectValidReport } from "../../helpers/schema.js";
import { fixture } from "../../helpers/sessions.js";

/** The first finding explain gives for a capture, with the report checked against the contract. */
function firstFinding(path: string) {
  const { report } = explain(fixture(path));
  expectValidReport(report);
  return report.findings[0];
}

describe("explain on libwebrtc (@roamhq/wrtc) captures names the same cause as on werift's", () => {
  it("the captures are libwebrtc's own output, not werift's", () => {
    // libwebrtc writes network-id on its candidates and a session version of 2; werift does neither.
    expect(fixture("sdp/wrtc-answer-private-host-only.sdp")).toMatch(/^a=candidate:.* network-id \d+$/m);
    expect(fixture("sdp/wrtc-offer-before-gathering.sdp")).toMatch(/^o=- \d+ 2 IN IP4 127\.0\.0\.1$/m);
  });

  it("an offer taken before gathering: sdp-without-candidates first, as for werift's", () => {
    const wrtc = firstFinding("sdp/wrtc-offer-before-gathering.sdp");
    expect(wrtc?.id).toBe("sdp-without-candidates");
    expect(wrtc?.id).toBe(firstFinding("sdp/werift-offer-before-gathering.sdp")?.id);
    expect(wrtc?.evidence.map((e) => e.fact)).toContain("no a=end-of-candidates: gathering had not finished when this SDP was taken");
  });

  it("an answer with only host candidates in a private-only namespace: far-side-private-candidates first, as for werift's", () => {
    const wrtc = firstFinding("sdp/wrtc-answer-private-host-only.sdp");
    expect(wrtc?.id).toBe("far-side-private-candidates");
    expect(wrtc?.id).toBe(firstFinding("sdp/werift-answer-private-host-only.sdp")?.id);
    expect(wrtc?.evidence[0]?.fact).toMatch(/^host udp 10\.20\.30\.40:\d+ \(private\)$/);
    expect(wrtc?.explanation).toMatch(/\(private, loopback\)/);
  });

  it("the loopback-only answer (libwebrtc falls back to 127.0.0.1/::1, not to no candidates): the loopback fix", () => {
    const { report } = explain(fixture("sdp/wrtc-answer-loopback-only.sdp"));
    expectValidReport(report);
    expect(report.session?.remote?.candidates.map((c) => c.addressClass)).toEqual(["loopback", "loopback", "loopback", "loopback"]);
    expect(report.findings.map((f) => f.id)).not.toContain("sdp-without-candidates");
    expect(report.findings[0]?.id).toBe("far-side-private-candidates");
    expect(report.findings[0]?.fix).toMatch(/bound to loopback/);
  });
});
