import { describe, expect, it } from "vitest";
import { bodySummary, MAX_BODY_SUMMARY_CHARS } from "../../../src/signalling/body-text.js";

describe("bodySummary", () => {
  it("an HTML error page becomes its visible text: no CSS, scripts, comments, tags or entities", () => {
    const page =
      "<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body { font-family: Arial; color: red }</style>" +
      "<script>var secret = 1;</script><!-- upstream b2 --></head><body><h1>Bad&nbsp;Gateway</h1><p>upstream &amp; proxy &#8212; down</p></body></html>";
    expect(bodySummary(page, "text/html; charset=utf-8")).toBe("502 Bad Gateway Bad Gateway upstream & proxy — down");
  });

  it("the reason of a JSON error body", () => {
    expect(bodySummary('{"error":{"code":403,"message":"stream key not allowed"}}')).toBe("stream key not allowed");
    expect(bodySummary('{"type":"about:blank","title":"Conflict","detail":"session exists"}')).toBe("session exists");
    expect(bodySummary('{"status":"nope"}')).toBe('{"status":"nope"}');
  });

  it("one bounded line without control characters", () => {
    const text = bodySummary(`line one\r\n\u001b[2J\u001b]0;pwned\u0007${"x".repeat(10_000)}`, "text/plain");
    expect(text.length).toBeLessThanOrEqual(MAX_BODY_SUMMARY_CHARS);
    expect(text).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(text.startsWith("line one [2J ]0;pwned")).toBe(true);
  });

  it("stays linear on markup built to make patterns backtrack", () => {
    // Unclosed tags, scripts and comments: each drops the rest, none scans the body once per `<`.
    for (const body of ["<".repeat(1_000_000), "<script".repeat(200_000), "<!--".repeat(300_000), "<a".repeat(500_000)]) {
      expect(bodySummary(body, "text/html").length).toBeLessThanOrEqual(MAX_BODY_SUMMARY_CHARS);
    }
  });

  it("plain text keeps its angle brackets", () => {
    expect(bodySummary("limit is < 5 sessions", "text/plain")).toBe("limit is < 5 sessions");
  });
});
