import { createSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classes, methods } from "werift-ice";
import { parseIceUrl } from "../../../src/config/ice-url.js";
import { probeAllocate } from "../../../src/probes/turn-allocate.js";
import { decode, Message } from "../../../src/stun/message.js";

// coturn keeps a released allocation for a second; a probe whose new socket gets the same local port
// again meets 437 Allocation Mismatch. A TURN server on loopback that answers 437 to the first port
// it sees allocating, as coturn does then: the probe must try once more from another port.
describe("probeAllocate after a 437 over UDP", () => {
  const server = createSocket("udp4");
  const ports: number[] = [];
  let mismatchPort: number | undefined;

  beforeAll(async () => {
    server.on("message", (data, rinfo) => {
      const request = decode(data);
      if (!request) return;
      const answer = (m: Message) => server.send(m.bytes, rinfo.port, rinfo.address);
      const signed = request.attributesKeys.includes("MESSAGE-INTEGRITY");
      if (request.messageMethod === methods.ALLOCATE && !signed) {
        ports.push(rinfo.port);
        return answer(new Message(methods.ALLOCATE, classes.ERROR, request.transactionId).setAttribute("ERROR-CODE", [401, "Unauthorized"]).setAttribute("REALM", "lab").setAttribute("NONCE", Buffer.from("n1")));
      }
      if (request.messageMethod === methods.ALLOCATE) {
        mismatchPort ??= rinfo.port;
        if (rinfo.port === mismatchPort) return answer(new Message(methods.ALLOCATE, classes.ERROR, request.transactionId).setAttribute("ERROR-CODE", [437, "Mismatched allocation"]));
        return answer(
          new Message(methods.ALLOCATE, classes.RESPONSE, request.transactionId)
            .setAttribute("XOR-RELAYED-ADDRESS", ["127.0.0.1", 50000])
            .setAttribute("XOR-MAPPED-ADDRESS", [rinfo.address, rinfo.port])
            .setAttribute("LIFETIME", 600),
        );
      }
      answer(new Message(request.messageMethod, classes.RESPONSE, request.transactionId));
    });
    await new Promise<void>((resolve) => server.bind(0, "127.0.0.1", resolve));
  });
  afterAll(() => server.close());

  it("allocates from another local port and keeps the 437 in the exchanges", async () => {
    const port = server.address().port;
    const outcome = await probeAllocate(parseIceUrl(`turn:127.0.0.1:${port}`), { address: "127.0.0.1", port, family: 4 }, { username: "u", credential: "p" }, { timeoutMs: 2000 });
    expect(outcome.ok).toBe(true);
    expect(new Set(ports).size).toBe(2);
    expect(outcome.exchanges.map((e) => e.outcome)).toEqual([
      "error 401 Unauthorized (challenge)",
      "error 437 Mismatched allocation (retrying from another local port)",
      "error 401 Unauthorized (challenge)",
      "success",
      "success",
      "success",
    ]);
  });
});
