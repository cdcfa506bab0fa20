import { describe, expect, it } from "vitest";
import { EXPECTATION_SYNTAX, parseExpectation } from "../../../src/config/expectations.js";
import { evaluateExpectations } from "../../../src/diagnose/expectations.js";
import type { ConnectivityFact, Facts, RestartFact } from "../../../src/facts/index.js";
import { healthyFacts } from "../../helpers/facts.js";

const judge = (facts: Facts) => evaluateExpectations([parseExpectation("restart")], facts)[0]!;
const remote = (ok: boolean, restart?: RestartFact): ConnectivityFact => ({
  mode: "remote",
  via: "http://198.51.100.9/whip",
  ok,
  durationMs: 500,
  iceStates: [],
  pairs: [],
  localCandidates: [],
  remoteCandidates: [],
  ...(restart ? { restart } : {}),
});
const withRemote = (c: ConnectivityFact): Facts => ({ ...healthyFacts(), connectivity: [c] });
const base: RestartFact = { requestedBy: "whip-patch", status: 200, accepted: true, reconnected: true, boundMs: 10_000, timeToReconnectMs: 150, echo: { sent: 3, received: 3 } };

describe("--expect restart", () => {
  it("parses, and is in the syntax the errors and the help show", () => {
    expect(parseExpectation(" Restart ")).toEqual({ kind: "restart", text: "restart" });
    expect(EXPECTATION_SYNTAX).toMatch(/, restart$/);
  });

  it("is met by a restart that reconnected and echoes, pointing at the restart", () => {
    expect(judge(withRemote(remote(true, base)))).toMatchObject({ met: true, path: "/connectivity/0/restart" });
  });

  it.each([
    ["a refusal", { ...base, accepted: false, reconnected: false, status: 405, refusal: { code: "method-not-allowed" as const, detail: "the ICE restart PATCH answered 405" } }, /refused the ICE restart: the ICE restart PATCH answered 405/, "/connectivity/0/restart/refusal"],
    ["no reconnection", { ...base, reconnected: false }, /did not connect again within 10000 ms/, "/connectivity/0/restart/reconnected"],
    ["no echo after it", { ...base, echo: { sent: 1, received: 0 } }, /0 of 1 echoes/, "/connectivity/0/restart"],
  ])("is not met with %s", (_what, restart, actual, path) => {
    const result = judge(withRemote(remote(true, restart)));
    expect(result.met).toBe(false);
    expect(result.actual).toMatch(actual);
    expect(result.path).toBe(path);
  });

  it("is 'not measured' without a remote attempt or without the option", () => {
    expect(judge(healthyFacts()).actual).toMatch(/^not measured: no remote connection/);
    expect(judge(withRemote(remote(true))).actual).toMatch(/^not measured: no ICE restart was asked for/);
    expect(judge(withRemote(remote(false))).actual).toMatch(/^not measured: the remote attempt did not connect/);
  });
});
