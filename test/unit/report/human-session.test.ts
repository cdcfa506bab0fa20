import { describe, expect, it } from "vitest";
import { explain } from "../../../src/explain/explain.js";
import { renderHuman } from "../../../src/report/human.js";
import { buildReport } from "../../../src/report/build.js";
import { diagnose } from "../../../src/diagnose/index.js";
import type { Facts } from "../../../src/facts/index.js";
import type { Report } from "../../../src/report/types.js";
import { healthyFacts } from "../../helpers/facts.js";
import { fixture, healthySession } from "../../helpers/sessions.js";

/** A report of the facts with no rule run: what the renderers show of the facts alone. */
const reportOf = (facts: Facts) => buildReport(facts, diagnose(facts, { rules: [] }), { startedAt: new Date(0), durationMs: 1 });

/** One section of the plain-text report, from its title to the blank line after it. */
function section(text: string, title: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(title));
  if (start < 0) return [];
  const end = lines.indexOf("", start);
  return lines.slice(start, end < 0 ? undefined : end);
}

// Ports change with every capture; the lines are compared with them blanked out.
const noPorts = (lines: string[]) => lines.map((l) => l.replace(/(\d|\]):\d{1,5}\b/g, "$1:P"));

const render = (report: Report) => renderHuman(report, { color: false });

describe("human report: the session section", () => {
  it("lists the libwebrtc answer's candidates by type with their address class and the ICE flags", () => {
    const text = render(explain(fixture("sdp/wrtc-answer-private-host-only.sdp")).report);
    expect(noPorts(section(text, "Session"))).toEqual([
      "Session  from the session description",
      "  Far side: 6 candidates (host 6, srflx 0, relay 0); ice-lite no, end-of-candidates no, trickle yes",
      "      host  udp 10.20.30.40:P  private",
      "      host  udp [::1]:P  loopback",
      "      host  udp 127.0.0.1:P  loopback",
      "      host  tcp passive 10.20.30.40:P  private",
      "      host  tcp passive [::1]:P  loopback",
      "      host  tcp passive 127.0.0.1:P  loopback",
    ]);
  });

  it("shows an empty description as such", () => {
    const text = render(explain(fixture("sdp/wrtc-offer-before-gathering.sdp")).report);
    expect(section(text, "Session")).toEqual([
      "Session  from the session description",
      "  Far side: no candidates (host 0, srflx 0, relay 0); ice-lite no, end-of-candidates no, trickle yes",
    ]);
  });

  it("shows both sides of {offer, answer}, srflx and relay with the address they came from", () => {
    const text = render(explain(fixture("sdp/werift-offer-answer.json")).report);
    const lines = noPorts(section(text, "Session"));
    expect(lines[1]).toBe("  Our offer: 4 candidates (host 2, srflx 1, relay 1); ice-lite no, end-of-candidates yes, trickle yes");
    expect(lines.slice(2, 6)).toEqual([
      "      host  udp 192.0.2.2:P  public",
      "      host  udp [fd00::2]:P  private",
      "      srflx udp 127.0.0.1:P  loopback from 192.0.2.2:P",
      "      relay udp 127.0.0.1:P  loopback from 127.0.0.1:P",
    ]);
    expect(lines[6]).toBe("  Far side's answer: 4 candidates (host 2, srflx 1, relay 1); ice-lite no, end-of-candidates yes, trickle yes");
  });

  // werift records resends apart from requestsSent; the dump, like a live attempt, counts all 5 (1 + 4).
  it("shows a dump's trickled candidates once, its ICE states, and every pair with its checks", () => {
    const text = render(explain(fixture("webrtc-internals/werift-relay-far-side-unreachable.json")).report);
    expect(noPorts(section(text, "Session"))).toEqual([
      "Session  from a chrome://webrtc-internals dump",
      "  Our offer: 1 candidate (host 0, srflx 0, relay 1); ice-lite no, end-of-candidates yes, trickle yes",
      "      relay udp 127.0.0.1:P  loopback from 127.0.0.1:P",
      "  Far side's answer: 2 candidates (host 2, srflx 0, relay 0); ice-lite no, end-of-candidates yes, trickle yes",
      "      host  udp 192.0.2.99:P  public",
      "      host  udp 192.0.2.99:P  public",
      "      no candidate trickled after the description",
      "  ICE states: completed -> checking",
      "  Candidate pairs (2)",
      "      relay udp 127.0.0.1:P (loopback) -> host udp 192.0.2.99:P (public)  failed; checks 5 sent / 0 answered / 0 received",
      "      relay udp 127.0.0.1:P (loopback) -> host udp 192.0.2.99:P (public)  failed; checks 5 sent / 0 answered / 0 received",
    ]);
  });

  it("marks the selected pair of the connected dump", () => {
    const text = render(explain(fixture("webrtc-internals/werift-connected.json")).report);
    const selected = section(text, "Session").filter((l) => l.startsWith("    * "));
    expect(noPorts(selected)).toEqual([
      "    * host udp [fd00::2]:P (private) -> host udp [fd00::2]:P (private)  succeeded, nominated, selected; checks 1 sent / 1 answered / 1 received",
    ]);
  });

  it("leaves a real attempt's session to the connections section", () => {
    const report = reportOf({ ...healthyFacts(), session: { ...healthySession(), source: "connectivity" } });
    expect(section(render(report), "Session")).toEqual([]);
  });
});

describe("human report: the servers section under explain", () => {
  it("is left out when explain probed nothing, instead of claiming 'none'", () => {
    const { report } = explain(fixture("sdp/wrtc-answer-private-host-only.sdp"));
    expect(report.explain).toEqual({ input: "sdp" });
    expect(report.servers).toEqual([]);
    expect(section(render(report), "ICE servers")).toEqual([]);
    expect(render(report)).not.toMatch(/– none/);
  });

  it("still says 'none' for a check run that had no server", () => {
    const report = reportOf({ ...healthyFacts(), servers: [] });
    expect(section(render(report), "ICE servers")).toEqual(["ICE servers", "  – none"]);
  });

  it("is shown when explain re-judges a check report that has servers", () => {
    const checked = reportOf(healthyFacts());
    const { kind, report } = explain(JSON.stringify(checked));
    expect(kind).toBe("report");
    expect(report.explain).toEqual({ input: "report" });
    const rows = section(render(report), "ICE servers").filter((l) => l.startsWith("  ✔"));
    expect(rows.map((l) => l.split(/\s+/)[2])).toEqual(checked.servers.map((s) => s.url));
  });
});
