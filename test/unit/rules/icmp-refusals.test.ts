import { describe, expect, it } from "vitest";
import type { Facts, ProbeError, ServerFact } from "../../../src/facts/index.js";
import { natInputs } from "../../../src/phases/nat.js";
import { classifyNat } from "../../../src/probes/nat/index.js";
import { stunServerUnreachable } from "../../../src/rules/stun-server-unreachable.js";
import { turnServerUnreachable } from "../../../src/rules/turn-server-unreachable.js";
import { turnUdpBlocked } from "../../../src/rules/turn-udp-blocked.js";
import { udpBlocked } from "../../../src/rules/udp-blocked.js";
import { natBehaviour } from "../../../src/rules/nat-behaviour.js";
import { rules, runRules } from "../../../src/rules/index.js";
import { serverFact } from "../../helpers/facts.js";
import { hitsOf, kinds, reported } from "../../helpers/rule-tester.js";

// ICMP errors are evidence (issue 10, item 5): a port unreachable is the far end's answer, not the
// network's silence, and "UDP blocked" is said only when no UDP destination answered or refused.

const error = (code: ProbeError["code"], detail: string): ProbeError => ({ code, detail, message: detail });
const refused = error("port-unreachable", "198.51.100.1:3999 over UDP: ICMP port unreachable (ECONNREFUSED) after 1 send in 0.4 ms");
const prohibited = error("network-unreachable", "198.51.100.1:3478 over UDP: ICMP destination unreachable, communication prohibited (EHOSTUNREACH) after 1 send in 0.5 ms");
const silence = error("timeout", "no answer from 198.51.100.1:3478 over UDP: no answer after 4 tries in 3000 ms");

/** A UDP server fact the way the probe leaves it when `failure` ended the Binding (or Allocate). */
function udpFailure(url: string, address: string, port: number, failure: ProbeError): ServerFact {
  const request = url.startsWith("turn") ? "Allocate" : "Binding";
  const outcome = failure.code === "timeout" ? "timeout" : failure.code;
  return serverFact({
    url,
    host: address,
    port,
    ok: false,
    rttMs: undefined,
    retransmissions: undefined,
    mappedAddress: undefined,
    relayedAddress: undefined,
    allocation: undefined,
    remoteAddress: { address, port, family: 4 },
    exchanges: [{ request, outcome, retransmissions: failure.code === "timeout" ? 3 : 0 }],
    error: failure,
    durationMs: failure.code === "timeout" ? 3000 : 2,
  });
}

/**
 * Facts as the pipeline makes them: the NAT fact from the server facts, through natInputs and
 * classifyNat, which sends nothing when no server answered. With an answering server it would send
 * (to addresses outside any test namespace): those facts go without a NAT fact.
 */
async function factsOf(servers: ServerFact[]): Promise<Facts> {
  const indexed = servers.map((s, index) => ({ ...s, index }));
  const { answering, silent, refused: refusedServers } = natInputs(indexed);
  const nat = answering.length === 0 ? await classifyNat(answering, { silent, refused: refusedServers, timeoutMs: 1000 }) : undefined;
  return {
    config: { usedDefaultServers: false, timeoutMs: 3000, stunCount: indexed.filter((s) => s.kind === "stun").length, turnCount: indexed.filter((s) => s.kind === "turn").length },
    servers: indexed,
    gathering: [],
    candidates: [],
    ...(nat ? { nat } : {}),
  };
}

const tcpTurn = (host: string) => serverFact({ url: `turn:${host}:3478?transport=tcp`, host, transport: "tcp", remoteAddress: { address: host, port: 3478, family: 4 } });

describe("a STUN port where nothing listens", () => {
  it("is named as such, and the network is not called UDP-blocking", async () => {
    const facts = await factsOf([udpFailure("stun:198.51.100.1:3999", "198.51.100.1", 3999, refused)]);
    expect(facts.nat).toMatchObject({ classic: "unknown", reasons: ["udp-refused"], tests: [{ name: "server probe (UDP)", icmp: "port-unreachable" }] });
    expect(hitsOf(stunServerUnreachable, facts)).toEqual([
      { rule: "stun-server-unreachable", message: "nothing-listens", severity: "error", evidence: ["/servers/0/error"], subjects: ["/servers/0"] },
    ]);
    expect(stunServerUnreachable.check(facts)[0]?.data).toEqual({ port: "3999", host: "198.51.100.1" });
    expect(udpBlocked.check(facts)).toEqual([]);
    expect(natBehaviour.check(facts)).toEqual([]);
    const findings = reported(runRules(rules, facts));
    expect(kinds(findings)[0]).toBe("stun-server-unreachable/nothing-listens");
    expect(kinds(findings)).not.toContain("udp-blocked/no-stream-relay");
  });

  it("is a warning when another STUN server answered over UDP, with that answer as evidence", async () => {
    const facts = await factsOf([serverFact({ url: "stun:198.51.100.1:3478", remoteAddress: { address: "198.51.100.1", port: 3478, family: 4 } }), udpFailure("stun:198.51.100.1:3999", "198.51.100.1", 3999, refused)]);
    expect(hitsOf(stunServerUnreachable, facts)).toEqual([
      { rule: "stun-server-unreachable", message: "nothing-listens-one-of-several", severity: "warning", evidence: ["/servers/1/error", "/servers/0"], subjects: ["/servers/1"] },
    ]);
  });

  it("a silent STUN server keeps its own message", async () => {
    const facts = await factsOf([serverFact({ url: "stun:198.51.100.1:3478", remoteAddress: { address: "198.51.100.1", port: 3478, family: 4 } }), udpFailure("stun:198.51.100.3:3478", "198.51.100.3", 3478, silence)]);
    expect(kinds(hitsOf(stunServerUnreachable, facts))).toEqual(["stun-server-unreachable/one-of-several"]);
  });
});

describe("a TURN/UDP port where nothing listens", () => {
  it("is named as such; TCP to the same server is evidence that it runs without UDP, and turn-udp-blocked stays quiet", async () => {
    const facts = await factsOf([udpFailure("turn:198.51.100.1:3478?transport=udp", "198.51.100.1", 3478, refused), tcpTurn("198.51.100.1")]);
    expect(hitsOf(turnServerUnreachable, facts)).toEqual([
      { rule: "turn-server-unreachable", message: "udp-port-unreachable", severity: "error", evidence: ["/servers/0/error", "/servers/1"], subjects: ["/servers/0"] },
    ]);
    expect(turnUdpBlocked.check(facts)).toEqual([]);
    expect(kinds(reported(runRules(rules, facts)))[0]).toBe("turn-server-unreachable/udp-port-unreachable");
  });

  it("a router's ICMP prohibited while TCP works is UDP blocked towards the server, not a closed port", async () => {
    const facts = await factsOf([udpFailure("turn:198.51.100.1:3478?transport=udp", "198.51.100.1", 3478, prohibited), tcpTurn("198.51.100.1")]);
    expect(kinds(hitsOf(turnUdpBlocked, facts))).toEqual(["turn-udp-blocked/udp-blocked-tcp-works"]);
    expect(kinds(hitsOf(turnServerUnreachable, facts))).toEqual(["turn-server-unreachable/no-answer"]);
  });
});

describe("udp-blocked says what it rests on", () => {
  it("counts distinct destinations and hosts: two URLs to one address:port are one destination", async () => {
    const facts = await factsOf([
      udpFailure("stun:198.51.100.1:3478", "198.51.100.1", 3478, silence),
      udpFailure("turn:198.51.100.1:3478?transport=udp", "198.51.100.1", 3478, silence),
      udpFailure("stun:198.51.100.3:3478", "198.51.100.3", 3478, silence),
    ]);
    expect(facts.nat?.classic).toBe("udp-blocked");
    const [hit, ...more] = udpBlocked.check(facts);
    expect(more).toEqual([]);
    expect(hit?.message).toBe("no-stream-relay");
    expect(hit?.data).toMatchObject({ count: "2", hosts: "2" });
    expect(hit?.evidence.map((e) => e.path)).toEqual(["/nat/classic", "/nat/tests", "/nat/tests/0", "/nat/tests/1", "/nat/tests/2", "/servers/1/error"]);
  });

  it("a single silent destination is one destination", async () => {
    const facts = await factsOf([udpFailure("stun:198.51.100.1:3478", "198.51.100.1", 3478, silence)]);
    expect(udpBlocked.check(facts)[0]?.data).toMatchObject({ destinations: "1 destination", count: "1", hosts: "1" });
  });

  it("ICMP prohibited from a router counts towards UDP blocked, as silence does", async () => {
    const facts = await factsOf([udpFailure("stun:198.51.100.1:3478", "198.51.100.1", 3478, prohibited), udpFailure("stun:198.51.100.3:3478", "198.51.100.3", 3478, silence)]);
    expect(facts.nat).toMatchObject({ classic: "udp-blocked", tests: [{ icmp: "prohibited" }, {}] });
    expect(kinds(hitsOf(udpBlocked, facts))).toEqual(["udp-blocked/no-stream-relay"]);
    expect(udpBlocked.check(facts)[0]?.data).toMatchObject({ count: "2", hosts: "2" });
  });

  it("one refusal among silent servers: not UDP-blocking, each server told on its own", async () => {
    const facts = await factsOf([udpFailure("stun:198.51.100.1:3999", "198.51.100.1", 3999, refused), udpFailure("stun:198.51.100.3:3478", "198.51.100.3", 3478, silence)]);
    expect(facts.nat?.classic).toBe("unknown");
    expect(udpBlocked.check(facts)).toEqual([]);
    expect(kinds(hitsOf(stunServerUnreachable, facts))).toEqual(["stun-server-unreachable/nothing-listens", "stun-server-unreachable/none-answers"]);
  });
});

describe("every UDP destination refuses", () => {
  const everywhere = () => [udpFailure("stun:198.51.100.1:3478", "198.51.100.1", 3478, refused), udpFailure("stun:198.51.100.3:3478", "198.51.100.3", 3478, refused)];

  it("on two hosts or more: one finding names the firewall that rejects UDP, or no listener anywhere", async () => {
    const facts = await factsOf(everywhere());
    expect(hitsOf(udpBlocked, facts)).toEqual([
      {
        rule: "udp-blocked",
        message: "refused-everywhere",
        severity: "error",
        evidence: ["/nat/reasons", "/nat/tests/0", "/nat/tests/1", "/config"],
        subjects: ["/nat", "/servers/0", "/servers/1"],
      },
    ]);
    expect(udpBlocked.check(facts)[0]?.data).toMatchObject({ count: "2", hosts: "2" });
    // It covers both servers: no finding per server on top.
    expect(kinds(reported(runRules(rules, facts))).filter((k) => k.startsWith("stun-server-unreachable"))).toEqual([]);
  });

  it("is a warning when TURN over TCP works", async () => {
    const facts = await factsOf([...everywhere(), tcpTurn("198.51.100.1")]);
    expect(kinds(hitsOf(udpBlocked, facts))).toEqual(["udp-blocked/refused-everywhere-relay-works"]);
    expect(hitsOf(udpBlocked, facts)[0]?.severity).toBe("warning");
  });

  it("on one host, it is that host's ports", async () => {
    const facts = await factsOf([udpFailure("stun:198.51.100.1:3478", "198.51.100.1", 3478, refused), udpFailure("stun:198.51.100.1:3999", "198.51.100.1", 3999, refused)]);
    expect(udpBlocked.check(facts)).toEqual([]);
    expect(kinds(hitsOf(stunServerUnreachable, facts))).toEqual(["stun-server-unreachable/nothing-listens", "stun-server-unreachable/nothing-listens"]);
  });
});
