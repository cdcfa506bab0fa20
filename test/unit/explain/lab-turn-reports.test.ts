import { describe, expect, it } from "vitest";
import { explain } from "../../../src/explain/explain.js";
import { fixture } from "../../helpers/sessions.js";
import { expectValidReport } from "../../helpers/schema.js";

/**
 * The NAT lab's reports (test/fixtures/reports/lab-turn-*, captured from real coturn, werift and
 * libwebrtc), judged again by today's rules with no network: the TURN server's own configuration is
 * the top error where it is the cause, and its healthy counterpart has no error at all.
 */
const errorsOf = (name: string) => {
  const { report } = explain(fixture(`reports/${name}.json`));
  expectValidReport(report);
  return report.findings.filter((f) => f.severity === "error").map((f) => `${f.id}/${f.message}`);
};

describe("the NAT lab's TURN configuration reports, explained again", () => {
  it.each([
    ["lab-turn-behind-nat", "turn-private-relay-address/behind-nat"],
    ["lab-turn-denies-far-side", "turn-denies-far-side/far-side-refused"],
    ["lab-turn-relay-ipv6-only", "turn-relay-address-family/family-not-supported"],
  ])("%s: the top error is %s, and the far side's firewall is not blamed", (name, top) => {
    const errors = errorsOf(name);
    expect(errors[0]).toBe(top);
    expect(errors.map((e) => e.split("/")[0])).not.toContain("far-side-unreachable-via-relay");
  });

  it.each(["lab-turn-external-ip", "lab-turn-allows-far-side", "lab-turn-relay-dual-stack"])("%s: no error", (name) => {
    expect(errorsOf(name)).toEqual([]);
  });
});
