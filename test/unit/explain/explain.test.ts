import { describe, expect, it } from "vitest";
import { explain } from "../../../src/explain/explain.js";
import { ExplainInputError } from "../../../src/explain/errors.js";
import { renderHuman } from "../../../src/report/human.js";
import { expectValidReport } from "../../helpers/schema.js";
import { fixture } from "../../helpers/sessions.js";

describe("explain", () => {
  it("names the early offer first (acceptance), with a schema-valid report and no verdict", () => {
    const { kind, report } = explain(fixture("sdp/werift-offer-before-gathering.sdp"));
    expect(kind).toBe("sdp");
    expect(report.findings[0]?.id).toBe("sdp-without-candidates");
    expect(report.verdict).toBeUndefined();
    expectValidReport(report);
  });

  it("names private host candidates first for the namespace answer (acceptance)", () => {
    const { report } = explain(fixture("sdp/werift-answer-private-host-only.sdp"));
    expect(report.findings[0]?.id).toBe("far-side-private-candidates");
    expectValidReport(report);
  });

  it("reads {offer, answer} JSON: the healthy captured pair has no finding", () => {
    const { kind, report } = explain(fixture("sdp/werift-offer-answer.json"));
    expect(kind).toBe("sdp-json");
    expect(report.session?.local?.type).toBe("offer");
    expect(report.session?.remote?.type).toBe("answer");
    expect(report.findings).toEqual([]);
    expectValidReport(report);
  });

  it("reads a webrtc-internals dump: connected is clean, the unreachable far side is named", () => {
    const ok = explain(fixture("webrtc-internals/werift-connected.json"));
    expect(ok.kind).toBe("webrtc-internals");
    expect(ok.report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(ok.report.session?.pairs?.some((p) => p.state === "succeeded")).toBe(true);
    expectValidReport(ok.report);
    const bad = explain(fixture("webrtc-internals/werift-relay-far-side-unreachable.json"));
    expect(bad.report.findings[0]?.id).toBe("far-side-unreachable-via-relay");
    expectValidReport(bad.report);
  });

  it("re-judges its own JSON report, and the human report shows the findings", () => {
    const first = explain(fixture("sdp/werift-answer-docker-bridge-only.sdp")).report;
    const again = explain(JSON.stringify(first));
    expect(again.kind).toBe("report");
    expect(again.report.findings.map((f) => f.id)).toEqual(first.findings.map((f) => f.id));
    expect(renderHuman(again.report, { color: false })).toMatch(/far-side-private-candidates/);
  });

  it.each([
    ["", /empty/],
    ["{not json", /neither an SDP .* nor valid JSON/],
    ["[1,2]", /must be an object/],
    ['{"hello": 1}', /unrecognised JSON/],
    ['{"PeerConnections": {}}', /holds no peer connection/],
    ['{"schemaVersion": "1.0", "tool": {"name": "rtc-doctor", "version": "0"}}', /does not match schema/],
    ['{"offer": "v=0\\r\\nbad line"}', /^offer: line 2/],
  ])("rejects %j with one line", (input, message) => {
    let error: unknown;
    try {
      explain(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExplainInputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
  });
});
