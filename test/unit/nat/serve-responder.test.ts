import { afterEach, describe, expect, it } from "vitest";
import { classifyNat } from "../../../src/probes/nat/index.js";
import { startStunResponder, type StunResponder } from "../../../src/serve/stun-responder.js";

/** `rtc-doctor serve`'s STUN responder is what the NAT note recommends: the probe must work against it. */

const running: StunResponder[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function against(options: Parameters<typeof startStunResponder>[0]) {
  const responder = await startStunResponder(options);
  running.push(responder);
  return classifyNat([{ url: `stun:${responder.address.address}:${responder.address.port}`, address: responder.address }], { timeoutMs: 1000 });
}

describe("classifyNat against rtc-doctor serve's STUN responder", () => {
  it("with a second address and port: the RFC 5780 method (loopback: open internet)", async () => {
    const fact = await against({ host: "127.0.0.1", port: 0, altPort: 0, altHost: "127.0.0.2" });
    expect({ method: fact.method, mapping: fact.mapping, filtering: fact.filtering, classic: fact.classic }).toEqual({
      method: "rfc5780",
      mapping: "endpoint-independent",
      filtering: "endpoint-independent",
      classic: "open-internet",
    });
  });

  it("with a second port only: used as plain STUN, and the reasons say why", async () => {
    const fact = await against({ host: "127.0.0.1", port: 0, altPort: 0 });
    expect(fact.method).toBe("none");
    expect(fact.reasons?.[0]).toBe("other-address-unusable");
  });
});
