import { describe, expect, it } from "vitest";
import { farEndCannotRestartIce } from "../../../src/rules/far-end-cannot-restart-ice.js";
import { iceRestartNeverReconnects } from "../../../src/rules/ice-restart-never-reconnects.js";
import type { ConnectivityFact, RestartFact } from "../../../src/facts/index.js";
import { healthyFacts, whipRemoteFact } from "../../helpers/facts.js";
import { hitsOf } from "../../helpers/rule-tester.js";

const remote = (restart?: RestartFact): ConnectivityFact =>
  whipRemoteFact(
    {
      exchanges: [
        { step: "offer", method: "POST", url: "http://198.51.100.9:8080/whip", status: 201, durationMs: 40, headers: {} },
        { step: "restart", method: "PATCH", url: "http://198.51.100.9:8080/whip/s1", status: restart?.status ?? 200, durationMs: 5, headers: {} },
      ],
    },
    restart ? { restart } : {},
  );

const facts = (restart?: RestartFact) => ({ ...healthyFacts(), connectivity: [remote(restart)] });
const refusedWith = (status: number, code: NonNullable<RestartFact["refusal"]>["code"]): RestartFact => ({
  requestedBy: "whip-patch",
  status,
  accepted: false,
  reconnected: false,
  boundMs: 10_000,
  refusal: { code, detail: `the ICE restart PATCH answered ${status}` },
});
const accepted = (extra: Partial<RestartFact>): RestartFact => ({ requestedBy: "whip-patch", status: 200, accepted: true, reconnected: true, boundMs: 10_000, ...extra });

describe("far-end-cannot-restart-ice", () => {
  it.each([
    [405, "method-not-allowed"],
    [501, "not-implemented"],
    [422, "unprocessable"],
  ] as const)("names a %i refusal with the refusal and the restart exchange", (status, code) => {
    expect(hitsOf(farEndCannotRestartIce, facts(refusedWith(status, code)))).toEqual([
      {
        rule: "far-end-cannot-restart-ice",
        message: "refused",
        severity: "warning",
        evidence: ["/connectivity/0/restart/refusal", "/connectivity/0/signalling/exchanges/1"],
        subjects: ["/connectivity/0"],
      },
    ]);
  });

  it("names a Pipecat server that answers restart_pc under another pc_id (a new session)", () => {
    const restart: RestartFact = { requestedBy: "pipecat-restart-pc", status: 200, accepted: true, reconnected: true, boundMs: 10_000, newSession: true };
    expect(hitsOf(farEndCannotRestartIce, facts(restart))).toEqual([
      { rule: "far-end-cannot-restart-ice", message: "new-session", severity: "warning", evidence: ["/connectivity/0/restart/newSession"], subjects: ["/connectivity/0"] },
    ]);
  });

  it("is silent when no restart was asked for, and when it was accepted", () => {
    expect(hitsOf(farEndCannotRestartIce, facts())).toEqual([]);
    // rtc-doctor's own peer failing is not the far end's refusal.
    expect(hitsOf(farEndCannotRestartIce, facts({ ...refusedWith(0, "local-error"), status: undefined } as RestartFact))).toEqual([]);
    expect(hitsOf(farEndCannotRestartIce, facts(accepted({ timeToReconnectMs: 120, echo: { sent: 3, received: 3 } })))).toEqual([]);
  });
});

describe("ice-restart-never-reconnects", () => {
  it("names an accepted restart that never reconnects", () => {
    expect(hitsOf(iceRestartNeverReconnects, facts(accepted({ reconnected: false })))).toEqual([
      { rule: "ice-restart-never-reconnects", message: "never-reconnects", severity: "error", evidence: ["/connectivity/0/restart/reconnected"], subjects: ["/connectivity/0"] },
    ]);
  });

  it("names a reconnection over which nothing echoes", () => {
    expect(hitsOf(iceRestartNeverReconnects, facts(accepted({ timeToReconnectMs: 300, echo: { sent: 1, received: 0 } })))).toEqual([
      { rule: "ice-restart-never-reconnects", message: "no-echo-after", severity: "warning", evidence: ["/connectivity/0/restart/echo"], subjects: ["/connectivity/0"] },
    ]);
  });

  it("is silent for a restart that reconnected and echoes, and for a refusal (the other rule's)", () => {
    expect(hitsOf(iceRestartNeverReconnects, facts(accepted({ timeToReconnectMs: 120, echo: { sent: 3, received: 3 } })))).toEqual([]);
    expect(hitsOf(iceRestartNeverReconnects, facts(refusedWith(405, "method-not-allowed")))).toEqual([]);
    // A far end that never echoed (a real bot) gets no echo after the restart either: nothing to judge.
    expect(hitsOf(iceRestartNeverReconnects, facts(accepted({ timeToReconnectMs: 120 })))).toEqual([]);
  });
});
