import { describe, expect, it } from "vitest";
import type { Facts, PeerPermissionFact, SessionFact } from "../../../src/facts/index.js";
import { analyseSdp } from "../../../src/sdp/analyse.js";
import { turnDeniesPrivatePeers } from "../../../src/rules/turn-denies-private-peers.js";
import { rules, runRules } from "../../../src/rules/index.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";
import { fixture, healthySession } from "../../helpers/sessions.js";
import { hitsOf } from "../../helpers/rule-tester.js";

const denied: PeerPermissionFact = { peerClass: "private", address: "10.0.0.1", allowed: false, stunErrorCode: 403, stunReason: "Forbidden IP" };
const allowed: PeerPermissionFact = { peerClass: "private", address: "10.0.0.1", allowed: true };

/** Healthy facts where every TURN server answered the private-peer permission with `permission`. */
function withPermission(permission: PeerPermissionFact, session?: SessionFact): Facts {
  const facts = healthyFacts();
  const servers = facts.servers.map((s) => (s.kind === "turn" ? { ...s, peerPermissions: [permission] } : s));
  return { ...facts, servers, ...(session ? { session } : {}) };
}

const privateAnswer = (): SessionFact => ({ source: "sdp", remote: analyseSdp(fixture("sdp/werift-answer-private-host-only.sdp"), "answer") });

describe("turn-denies-private-peers", () => {
  it("warns once per TURN URL that answered 403, pointing at its permission fact", () => {
    const facts = withServer(healthyFacts(), 2, { peerPermissions: [denied] });
    expect(hitsOf(turnDeniesPrivatePeers, facts)).toEqual([
      { rule: "turn-denies-private-peers", message: "denies-private-peers", severity: "warning", evidence: ["/servers/2/peerPermissions/0"], subjects: ["/servers/2"] },
    ]);
    const hits = turnDeniesPrivatePeers.check(facts);
    expect(hits[0]?.evidence).toEqual([
      { path: "/servers/2/peerPermissions/0", fact: "turn:198.51.100.1:3478?transport=tcp: CreatePermission for 10.0.0.1 answered 403 Forbidden IP" },
    ]);
    expect(hits[0]?.fix).toMatch(/allowed-peer-ip/);
  });

  it("is an error when the far side offers only private candidates (captured werift answer in 10.20.30.0/24)", () => {
    const reported = hitsOf(turnDeniesPrivatePeers, withPermission(denied, privateAnswer()));
    expect(reported.map((h) => [h.message, h.severity])).toEqual([
      ["far-side-only-private", "error"],
      ["far-side-only-private", "error"],
      ["far-side-only-private", "error"],
    ]);
    expect(reported[0]?.evidence).toEqual(["/servers/1/peerPermissions/0", "/session/remote/candidates"]);
    const hits = turnDeniesPrivatePeers.check(withPermission(denied, privateAnswer()));
    expect(hits[0]?.evidence[1]?.fact).toMatch(/host udp 10\.20\.30\.40:\d+ \(private\)/);
    // The engine lists the far side's missing public address first, then why the relay cannot help.
    const ids = runRules(rules, withPermission(denied, privateAnswer())).map((f) => f.id);
    expect(ids.slice(0, 4)).toEqual(["far-side-private-candidates", "turn-denies-private-peers", "turn-denies-private-peers", "turn-denies-private-peers"]);
  });

  it("stays a warning when the far side has a public candidate (the connected werift pair)", () => {
    const hits = hitsOf(turnDeniesPrivatePeers, withPermission(denied, healthySession()));
    expect(hits.map((h) => [h.message, h.severity])).toEqual([
      ["denies-private-peers", "warning"],
      ["denies-private-peers", "warning"],
      ["denies-private-peers", "warning"],
    ]);
  });

  it("stays silent when the permission was granted, or not asked for", () => {
    expect(turnDeniesPrivatePeers.check(withPermission(allowed, privateAnswer()))).toEqual([]);
    expect(turnDeniesPrivatePeers.check(healthyFacts())).toEqual([]);
  });

  it("stays silent on an error that is not a policy refusal (e.g. 508)", () => {
    const other: PeerPermissionFact = { peerClass: "private", address: "10.0.0.1", allowed: false, stunErrorCode: 508, stunReason: "Insufficient Capacity" };
    expect(turnDeniesPrivatePeers.check(withPermission(other))).toEqual([]);
  });
});
