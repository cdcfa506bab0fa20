import { describe, expect, it } from "vitest";
import { candidateFromStats, pairFromStats } from "../../../src/webrtc/candidate-stats.js";

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

  it.each([undefined, {}, { address: "10.0.0.2", protocol: "udp", candidateType: "weird" }, { address: "10.0.0.2", protocol: "sctp", candidateType: "host" }])(
    "is undefined for %j",
    (entry) => {
      expect(candidateFromStats(entry)).toBeUndefined();
    },
  );
});

it("keeps a candidate whose address Chrome left empty (mDNS) as hidden: its pair is still evidence", () => {
  expect(candidateFromStats({ address: "", ip: "", port: 45796, protocol: "udp", candidateType: "host", foundation: 3995364917 })).toEqual({
    type: "host",
    protocol: "udp",
    address: "",
    port: 45796,
    component: 1,
    addressClass: "hidden",
  });
});

describe("pairFromStats: one conversion for both stacks' candidate pairs", () => {
  const local = candidateFromStats({ address: "10.0.0.2", port: 5000, protocol: "udp", candidateType: "host" });
  const remote = candidateFromStats({ address: "10.0.0.3", port: 6000, protocol: "udp", candidateType: "host" });

  it("adds werift's resends to requestsSent and keeps only the counters the entry has", () => {
    const werift = { state: "in-progress", nominated: false, requestsSent: 2, retransmissionsSent: 5, responsesReceived: 0, bytesSent: 0 };
    expect(pairFromStats(werift, local, remote, false)).toEqual({
      state: "in-progress",
      nominated: false,
      selected: false,
      local,
      remote,
      requestsSent: 7,
      responsesReceived: 0,
      bytesSent: 0,
    });
    expect(pairFromStats({ state: "succeeded", nominated: true, requestsSent: 3 }, local, remote, true)).toMatchObject({ selected: true, nominated: true, requestsSent: 3 });
  });

  it("drops a pair with an unnamed state or a missing end", () => {
    expect(pairFromStats({ state: "weird" }, local, remote, false)).toBeUndefined();
    expect(pairFromStats({ state: "waiting" }, undefined, remote, false)).toBeUndefined();
  });
});
