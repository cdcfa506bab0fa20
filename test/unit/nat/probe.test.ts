import { afterEach, describe, expect, it } from "vitest";
import type { NatBehaviour } from "../../../src/facts/nat.js";
import { classifyNat } from "../../../src/probes/nat/index.js";
import { expectValidNat } from "../../helpers/nat-schema.js";
import { startFakeNatServer, type FakeNatOptions, type FakeNatServer } from "./fake-nat-server.js";

/** The whole procedure on one socket against an emulated NAT + RFC 5780 server on loopback. */

const open: FakeNatServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function classifyBehind(options: FakeNatOptions) {
  const server = await startFakeNatServer(options);
  open.push(server);
  return classifyNat([{ url: `stun:${server.primary.address}:${server.primary.port}`, address: server.primary }], { timeoutMs: 1000 });
}

const behaviours: NatBehaviour[] = ["endpoint-independent", "address-dependent", "address-and-port-dependent"];

describe("classifyNat with an RFC 5780 server", () => {
  for (const mapping of behaviours) {
    for (const filtering of behaviours) {
      it(`finds ${mapping} mapping and ${filtering} filtering`, async () => {
        const fact = await classifyBehind({ mapping, filtering });
        expect({ method: fact.method, mapping: fact.mapping, filtering: fact.filtering }).toEqual({ method: "rfc5780", mapping, filtering });
        expect(fact.hairpinning).toBe(false);
        expectValidNat(fact);
      });
    }
  }

  it("runs the filtering tests before any packet goes to the other address", async () => {
    const fact = await classifyBehind({ mapping: "endpoint-independent", filtering: "address-dependent" });
    const names = fact.tests.map((t) => t.name);
    const firstToOther = fact.tests.findIndex((t) => t.sentTo.address === "127.0.0.2");
    expect(firstToOther).toBeGreaterThan(names.indexOf("filtering test II (change IP and port)"));
    expect(firstToOther).toBeGreaterThan(names.indexOf("filtering test III (change port)"));
  });

  it("moves to a fresh socket when another configured server sits at the other address (its pinhole would fake the filtering)", async () => {
    const server = await startFakeNatServer({ mapping: "endpoint-independent", filtering: "address-dependent" });
    open.push(server);
    const other = { ...server.primary, address: "127.0.0.2" };
    const fact = await classifyNat(
      [
        { url: `stun:${server.primary.address}:${server.primary.port}`, address: server.primary },
        { url: `stun:${other.address}:${other.port}`, address: other },
      ],
      { timeoutMs: 1000 },
    );
    expect(fact.tests.map((t) => t.name)).toContain("test I (binding, fresh socket)");
    expect({ method: fact.method, filtering: fact.filtering }).toEqual({ method: "rfc5780", filtering: "address-dependent" });
  });

  it("skips mapping test III once test II showed endpoint-independent mapping", async () => {
    const fact = await classifyBehind({ mapping: "endpoint-independent", filtering: "endpoint-independent" });
    expect(fact.tests.some((t) => t.name.startsWith("mapping test III"))).toBe(false);
  });

  it("retransmits a negative filtering test, with waits sized from the measured RTT", async () => {
    const fact = await classifyBehind({ mapping: "endpoint-independent", filtering: "address-and-port-dependent" });
    const negative = fact.tests.find((t) => t.name.startsWith("filtering test II"))!;
    expect(negative.attempts).toBe(3);
    expect(negative.responseFrom).toBeUndefined();
    // On loopback the RTT is far below the floor: 50 + 100 + 200 ms.
    expect(negative.result).toMatch(/waited 3[5-9]\d ms/);
  });

  it("says open internet when the server sees this host's own address (and hairpinning is trivially there)", async () => {
    const fact = await classifyBehind({ mapping: "endpoint-independent", filtering: "endpoint-independent", noNat: true });
    expect({ classic: fact.classic, mapping: fact.mapping, filtering: fact.filtering, portPreserving: fact.portPreserving }).toEqual({
      classic: "open-internet",
      mapping: "endpoint-independent",
      filtering: "endpoint-independent",
      portPreserving: true,
    });
    expect(fact.publicAddress).toEqual(fact.localAddress);
    expect(fact.hairpinning).toBe(true);
  });
});

describe("classifyNat without an RFC 5780 server", () => {
  it("one plain server: mapping and filtering unknown, and the reasons say why", async () => {
    const fact = await classifyBehind({ mapping: "address-and-port-dependent", filtering: "address-and-port-dependent", noRfc5780: true });
    expect({ method: fact.method, mapping: fact.mapping, filtering: fact.filtering, classic: fact.classic }).toEqual({
      method: "none",
      mapping: "unknown",
      filtering: "unknown",
      classic: "unknown",
    });
    expect(fact.reasons).toEqual(["single-server", "filtering-not-tested"]);
    expect(fact.note).toBeUndefined();
    expectValidNat(fact);
  });

  it("no answer from any server: udp-blocked, within the bound given", async () => {
    const fact = await classifyNat([{ url: "stun:127.0.0.1:9", address: { address: "127.0.0.1", port: 9, family: 4 } }], { timeoutMs: 300 });
    expect({ classic: fact.classic, method: fact.method }).toEqual({ classic: "udp-blocked", method: "none" });
    expect(fact.durationMs).toBeLessThan(2000);
    expect(fact.reasons).toEqual(["no-udp-answer"]);
    expectValidNat(fact);
  });

  it("no usable server at all: method none", async () => {
    const fact = await classifyNat([]);
    expect({ classic: fact.classic, method: fact.method, tests: fact.tests }).toEqual({ classic: "unknown", method: "none", tests: [] });
  });
});
