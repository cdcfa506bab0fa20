import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import { expectValidReport } from "../helpers/schema.js";

// A port that accepts TCP and never speaks is not a filtered port: the evidence says the connection
// came up, and the finding names the service, not the firewall.
describe("a TCP port that accepts and stays silent", () => {
  let server: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("is connected-but-silent, with streamConnected as evidence", async () => {
    const { port } = server.address() as { port: number };
    const report = await check({ turn: [`turn:127.0.0.1:${port}?transport=tcp`], username: "u", credential: "p", timeoutMs: 800, gather: false, connect: false, nat: false });
    expectValidReport(report);
    expect(report.servers[0]).toMatchObject({ ok: false, streamConnected: true, error: { code: "timeout" } });
    const finding = report.findings.find((f) => f.id === "turn-server-unreachable");
    expect(finding?.message).toBe("connected-but-silent");
    expect(finding?.evidence.map((e) => e.path)).toEqual(["/servers/0/error", "/servers/0/streamConnected"]);
  });

  it("a refused port stays connection-refused, without streamConnected", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const report = await check({ turn: [`turn:127.0.0.1:${port}?transport=tcp`], username: "u", credential: "p", timeoutMs: 800, gather: false, connect: false, nat: false });
    expect(report.servers[0]?.streamConnected).toBeUndefined();
    expect(report.findings.find((f) => f.id === "turn-server-unreachable")?.message).toBe("connection-refused");
  });
});
