import { describe, expect, it } from "vitest";
import { candidateFromStats } from "../../../src/webrtc/candidate-stats.js";

describe("candidateFromStats: one conversion for werift's getStats() and webrtc-internals dumps", () => {
  it("reads werift's local-candidate entry, taking the relay transport werift really used", () => {
    const entry = { type: "local-candidate", address: "198.51.100.9", port: 50001, protocol: "udp", candidateType: "relay", relatedAddress: "203.0.113.7", relatedPort: 40000 };
    expect(candidateFromStats(entry, "tcp")).toEqual({
      type: "relay",
      protocol: "udp",
      address: "198.51.100.9",
      port: 50001,
      component: 1,
      relatedAddress: "203.0.113.7",
      relatedPort: 40000,
      addressClass: "public",
      family: 4,
      relayProtocol: "tcp",
    });
  });

  it("prefers the relayProtocol a browser reports, and keeps it off other types", () => {
    const chrome = { statsType: "local-candidate", ip: "203.0.113.5", port: "3478", protocol: "UDP", candidateType: "relay", relayProtocol: "tls" };
    expect(candidateFromStats(chrome, "udp")).toMatchObject({ address: "203.0.113.5", port: 3478, protocol: "udp", relayProtocol: "tls" });
    expect(candidateFromStats({ address: "10.0.0.2", port: 1, protocol: "tcp", candidateType: "host", tcpType: "passive" }, "udp")).toEqual({
      type: "host",
      protocol: "tcp",
      address: "10.0.0.2",
      port: 1,
      component: 1,
      tcpType: "passive",
      addressClass: "private",
      family: 4,
    });
  });

  it.each([undefined, {}, { address: "10.0.0.2", protocol: "udp", candidateType: "weird" }, { address: "10.0.0.2", protocol: "sctp", candidateType: "host" }, { protocol: "udp", candidateType: "host" }])(
    "is undefined for %j",
    (entry) => {
      expect(candidateFromStats(entry)).toBeUndefined();
    },
  );
});
