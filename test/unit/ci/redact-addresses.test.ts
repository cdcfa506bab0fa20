import { describe, expect, it } from "vitest";
import { AddressRedactor } from "../../../src/report/redact-addresses.js";

describe("--redact: IP addresses to stable placeholders", () => {
  it("replaces IPv4 and IPv6 in every written form, the same address with the same placeholder", () => {
    const r = new AddressRedactor();
    const out = r.redact(
      "relay 198.51.100.1:50000 from 10.0.0.2. server [2001:db8::1]:3478, link fe80::1%eth0, lo ::1, mapped ::ffff:203.0.113.7, turn:127.0.0.1:3478?transport=udp again 198.51.100.1",
    );
    expect(out).toBe(
      "relay ip4-public-1:50000 from ip4-private-2. server [ip6-public-3]:3478, link ip6-link-local-4, lo ip6-loopback-5, mapped ip6-public-6, turn:ip4-loopback-7:3478?transport=udp again ip4-public-1",
    );
  });

  it("keeps the numbering across calls (stdout, stderr and files of one run)", () => {
    const r = new AddressRedactor();
    expect(r.redact('{"address": "203.0.113.7"}')).toBe('{"address": "ip4-public-1"}');
    expect(r.redact("<x a='203.0.113.7' b='192.168.1.1'/>")).toBe("<x a='ip4-public-1' b='ip4-private-2'/>");
  });

  it("leaves times, versions, MAC addresses and non-addresses alone", () => {
    const text = "2026-03-01T12:00:00.000Z 12:30:45 coturn-4.6.1 v1.2.3.4 aa:bb:cc:dd:ee:ff 999.1.1.1 1.2.3.4.5 /servers/0/error a::b::c std::string";
    expect(new AddressRedactor().redact(text)).toBe(text);
  });
});
