import { describe, expect, it } from "vitest";
import { describeDnsFailure as describeFailure, probeDns } from "../../../src/probes/dns.js";

describe("probeDns", () => {
  it("treats IP literals as resolved without a query", async () => {
    expect(await probeDns("192.0.2.1", 100)).toEqual({ host: "192.0.2.1", resolved: false, ok: true, ipv4: ["192.0.2.1"], ipv6: [], durationMs: 0 });
    expect(await probeDns("2001:db8::1", 100)).toMatchObject({ resolved: false, ok: true, ipv4: [], ipv6: ["2001:db8::1"] });
  });
});

describe("DNS failure wording", () => {
  it.each([
    [["ENOTFOUND", "ENOTFOUND"], /does not exist \(NXDOMAIN\)/],
    [["ENODATA", "ENODATA"], /no A or AAAA record/],
    [["ETIMEOUT", "ETIMEOUT"], /timed out/],
    [["ECONNREFUSED", "ECONNREFUSED"], /no DNS server reachable/],
    [["ESERVFAIL", "ENODATA"], /SERVFAIL/],
    [["ok", "ENODATA"], /system resolver returned no address/],
  ])("%j -> %s", (codes, expected) => {
    expect(describeFailure("turn.example.com", codes)).toMatch(expected);
  });
});
