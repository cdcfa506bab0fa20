import { afterEach, describe, expect, it } from "vitest";
import { startStunResponder, type StunResponder, type StunResponderOptions } from "../../src/serve/stun-responder.js";
import { UdpStunSocket } from "../../src/stun/udp-socket.js";
import { addressAttribute, CHANGE_IP, CHANGE_PORT, errorCodeOf, mappedAddressOf, methods, newRequest } from "../../src/stun/message.js";
import type { TransportAddress } from "../../src/facts/common.js";

/**
 * `rtc-doctor serve`'s STUN responder over real UDP on loopback, with 127.0.0.2 as the second
 * address (all of 127/8 is local on Linux). Answers to CHANGE-REQUEST come from another socket by
 * design, so the client accepts any source and the test checks where each answer really came from.
 */

const running: { close(): unknown }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function responder(options: Omit<StunResponderOptions, "host" | "port">): Promise<StunResponder> {
  const r = await startStunResponder({ host: "127.0.0.1", port: 0, ...options });
  running.push(r);
  return r;
}

async function client(): Promise<UdpStunSocket> {
  const socket = await UdpStunSocket.open(4, "127.0.0.1");
  running.push(socket);
  return socket;
}

/** Bounded: loopback answers in well under a millisecond; the bound only ends a test that would hang. */
async function binding(socket: UdpStunSocket, to: TransportAddress, change = 0) {
  const request = newRequest(methods.BINDING);
  if (change) request.setAttribute("CHANGE-REQUEST", change);
  const { response, from } = await socket.request(request, to, { timeoutMs: 3000, initialRtoMs: 100, acceptAnySource: true });
  return {
    from: `${from.address}:${from.port}`,
    origin: str(addressAttribute(response, "RESPONSE-ORIGIN")),
    other: str(addressAttribute(response, "OTHER-ADDRESS")),
    mapped: str(mappedAddressOf(response)),
    error: errorCodeOf(response)?.code,
    unknown: response.getAttributeValue("UNKNOWN-ATTRIBUTES") as number[] | undefined,
  };
}

function str(a: TransportAddress | undefined): string | undefined {
  return a ? `${a.address}:${a.port}` : undefined;
}

describe("STUN responder (rtc-doctor serve), RFC 5389 and RFC 5780 on loopback", () => {
  it("a plain Binding: XOR-MAPPED-ADDRESS is the client, RESPONSE-ORIGIN the primary socket, no OTHER-ADDRESS without alternates", async () => {
    const r = await responder({});
    const c = await client();
    const primary = str(r.address);
    const answer = await binding(c, r.address);
    expect(answer).toEqual({ from: primary, origin: primary, other: undefined, mapped: str(c.localAddress), error: undefined, unknown: undefined });
    expect(r.otherAddress).toBeUndefined();
  });

  it("with a second address and port: each CHANGE-REQUEST is answered from the socket it names, and OTHER-ADDRESS is the opposite corner", async () => {
    const r = await responder({ altPort: 0, altHost: "127.0.0.2" });
    const c = await client();
    const p1 = r.address.port;
    const p2 = r.otherAddress?.port as number;
    expect(r.otherAddress?.address).toBe("127.0.0.2");
    expect(p2).not.toBe(p1);

    const none = await binding(c, r.address);
    expect(none).toMatchObject({ from: `127.0.0.1:${p1}`, origin: `127.0.0.1:${p1}`, other: `127.0.0.2:${p2}`, mapped: str(c.localAddress) });
    expect(await binding(c, r.address, CHANGE_PORT)).toMatchObject({ from: `127.0.0.1:${p2}`, origin: `127.0.0.1:${p2}` });
    expect(await binding(c, r.address, CHANGE_IP)).toMatchObject({ from: `127.0.0.2:${p1}`, origin: `127.0.0.2:${p1}` });
    expect(await binding(c, r.address, CHANGE_IP | CHANGE_PORT)).toMatchObject({ from: `127.0.0.2:${p2}`, origin: `127.0.0.2:${p2}` });

    // RFC 5780 tests II and III go to the other address; the answer names the primary as its other.
    expect(await binding(c, { address: "127.0.0.2", port: p1, family: 4 })).toMatchObject({ from: `127.0.0.2:${p1}`, other: `127.0.0.1:${p2}` });
    expect(await binding(c, { address: "127.0.0.2", port: p2, family: 4 })).toMatchObject({ from: `127.0.0.2:${p2}`, other: `127.0.0.1:${p1}` });
    expect(await binding(c, { address: "127.0.0.2", port: p2, family: 4 }, CHANGE_IP | CHANGE_PORT)).toMatchObject({ from: `127.0.0.1:${p1}` });
  });

  it("with a second port only: change port works, change IP is answered 420 naming CHANGE-REQUEST", async () => {
    const r = await responder({ altPort: 0 });
    const c = await client();
    const p1 = r.address.port;
    const p2 = r.otherAddress?.port as number;
    expect(r.otherAddress?.address).toBe("127.0.0.1");
    expect(await binding(c, r.address)).toMatchObject({ from: `127.0.0.1:${p1}`, other: `127.0.0.1:${p2}` });
    expect(await binding(c, r.address, CHANGE_PORT)).toMatchObject({ from: `127.0.0.1:${p2}`, origin: `127.0.0.1:${p2}`, error: undefined });
    for (const change of [CHANGE_IP, CHANGE_IP | CHANGE_PORT]) {
      expect(await binding(c, r.address, change)).toEqual({ from: `127.0.0.1:${p1}`, origin: undefined, other: undefined, mapped: undefined, error: 420, unknown: [0x0003] });
    }
  });

  it("with a second address only: change IP works, change port is answered 420", async () => {
    const r = await responder({ altHost: "127.0.0.2" });
    const c = await client();
    const p1 = r.address.port;
    expect(r.otherAddress).toEqual({ address: "127.0.0.2", port: p1, family: 4 });
    // OTHER-ADDRESS belongs to the socket the request reached, whichever socket answers.
    expect(await binding(c, r.address, CHANGE_IP)).toMatchObject({ from: `127.0.0.2:${p1}`, origin: `127.0.0.2:${p1}`, other: `127.0.0.2:${p1}` });
    expect(await binding(c, r.otherAddress as TransportAddress)).toMatchObject({ from: `127.0.0.2:${p1}`, other: `127.0.0.1:${p1}` });
    expect(await binding(c, r.address, CHANGE_PORT)).toMatchObject({ from: `127.0.0.1:${p1}`, error: 420 });
  });

  it("with no alternates at all: any change is 420, and a CHANGE-REQUEST asking for nothing is a plain Binding", async () => {
    const r = await responder({});
    const c = await client();
    expect((await binding(c, r.address, CHANGE_PORT)).error).toBe(420);
    expect(await binding(c, r.address, 0)).toMatchObject({ error: undefined, mapped: str(c.localAddress) });
  });
});
