import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import { startCoturn, type Coturn } from "../helpers/coturn.js";
import { expectValidReport } from "../helpers/schema.js";

// Each URL is gathered through once: where a loopback srflx or relay attempt runs, its offering
// peer's gathering is the URL's gathering fact; the gather phase covers only the rest.
describe("werift gathering in a whole check", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ tls: false });
  });
  afterAll(async () => {
    await coturn?.stop();
  });

  const servers = () => ({
    stun: [`stun:127.0.0.1:${coturn.port}`, `stun:localhost:${coturn.port}`],
    turn: [`turn:127.0.0.1:${coturn.port}`, `turn:127.0.0.1:${coturn.port}?transport=tcp`],
    username: coturn.user,
    credential: coturn.password,
    nat: false,
  });

  it("one gathering fact per working URL, in configuration order, from the attempts where there are any", async () => {
    const report = await check(servers());
    expectValidReport(report);
    expect(report.gathering.map((g) => [g.serverId, g.ok])).toEqual(report.servers.map((s) => [s.id, true]));
    // The first STUN URL and both TURN URLs have loopback attempts; the second STUN URL does not.
    expect(report.connectivity?.map((c) => c.serverId ?? c.mode)).toEqual(["loopback-host", report.servers[0]!.id, report.servers[2]!.id, report.servers[3]!.id]);
    for (const s of report.servers) {
      const wanted = s.kind === "turn" ? "relay" : "srflx";
      expect(report.candidates.some((c) => c.type === wanted && c.serverId === s.id)).toBe(true);
    }
    expect(report.candidates.find((c) => c.serverId === report.servers[3]!.id && c.type === "relay")?.relayProtocol).toBe("tcp");
    // Host addresses are listed once, not once per STUN peer.
    const hosts = report.candidates.filter((c) => c.type === "host").map((c) => `${c.address}:${c.protocol}`);
    expect(new Set(hosts).size).toBe(hosts.length);
  });

  it("the same facts without loopback attempts, all from the gather phase", async () => {
    const report = await check({ ...servers(), connect: false });
    expect(report.gathering.map((g) => [g.serverId, g.ok])).toEqual(report.servers.map((s) => [s.id, true]));
    expect(report.connectivity).toBeUndefined();
  });

  it("no gathering facts with gathering turned off, even where attempts gathered", async () => {
    const report = await check({ ...servers(), gather: false });
    expect(report.gathering).toEqual([]);
    expect(report.connectivity?.filter((c) => c.ok)).toHaveLength(4);
  });
});
