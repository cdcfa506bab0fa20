import { createSocket, type Socket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import { classes, decode, Message, methods } from "../../src/stun/message.js";
import { expectValidReport } from "../helpers/schema.js";

type Misbehaviour = "garbage" | "truncated" | "wrong-transaction";

/** A UDP server on loopback that answers every request, wrongly, as `how` says. */
async function hostile(how: Misbehaviour): Promise<{ port: number; close(): void }> {
  const socket: Socket = createSocket("udp4");
  socket.on("message", (data, rinfo) => {
    const request = decode(data);
    const reply = (bytes: Uint8Array) => socket.send(bytes, rinfo.port, rinfo.address);
    if (how === "garbage") return reply(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n"));
    if (!request) return;
    const response = new Message(methods.BINDING, classes.RESPONSE, how === "wrong-transaction" ? Buffer.alloc(12, 7) : request.transactionId).setAttribute("XOR-MAPPED-ADDRESS", [rinfo.address, rinfo.port]);
    // truncated: the header promises attributes that are cut off
    reply(how === "truncated" ? Buffer.from(response.bytes).subarray(0, 26) : response.bytes);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { port: socket.address().port, close: () => socket.close() };
}

// Broken servers named as what they are: "answered, but not with STUN", never "UDP blocked".
describe("STUN servers that answer nonsense", () => {
  const servers: { how: Misbehaviour; port: number; close(): void }[] = [];
  beforeAll(async () => {
    for (const how of ["garbage", "truncated", "wrong-transaction"] as const) servers.push({ how, ...(await hostile(how)) });
  });
  afterAll(() => servers.forEach((s) => s.close()));

  it.each(["garbage", "truncated", "wrong-transaction"] as const)("%s: malformed-reply with a count, and its own finding", async (how) => {
    const server = servers.find((s) => s.how === how)!;
    const report = await check({ stun: [`stun:127.0.0.1:${server.port}`], timeoutMs: 1000, gather: false, connect: false, nat: false });
    expectValidReport(report);
    const [fact] = report.servers;
    expect(fact?.error?.code).toBe("malformed-reply");
    if (how === "wrong-transaction") expect(fact?.strayReplies?.unknownTransaction).toBeGreaterThan(0);
    else expect(fact?.strayReplies?.notStun).toBeGreaterThan(0);
    const ids = report.findings.map((f) => `${f.id}/${f.message}`);
    expect(ids).toContain("stun-server-malformed-reply/not-stun");
    expect(ids.filter((id) => id.startsWith("stun-server-unreachable") || id.startsWith("udp-blocked"))).toEqual([]);
  });
});
