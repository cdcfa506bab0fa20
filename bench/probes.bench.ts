import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, bench, describe } from "vitest";
import { createTurnClient } from "werift";
import { parseIceUrl } from "../src/config/ice-url.js";
import { targetOf } from "../src/config/target-id.js";
import type { IceServerTarget } from "../src/config/types.js";
import { probeServer } from "../src/probes/server-probe.js";
import { classifyNat } from "../src/probes/nat/index.js";
import { check } from "../src/index.js";
import { startCoturn, type Coturn } from "../test/helpers/coturn.js";

// Speed figures, printed by `npm run bench`; tests never assert on time. Everything runs against a
// coturn on loopback, so the numbers show rtc-doctor's own overhead, not a network's latency.
let coturn: Coturn;
let rfc5780: Coturn;

beforeAll(async () => {
  coturn = await startCoturn({ tls: true });
  rfc5780 = await startCoturn({ tls: false, rfc5780: true });
});
afterAll(async () => {
  await coturn?.stop();
  await rfc5780?.stop();
});

const target = (raw: string, password?: string): IceServerTarget =>
  password === undefined
    ? targetOf({ url: parseIceUrl(raw), source: "flag" })
    : targetOf({ url: parseIceUrl(raw), username: coturn.user, credential: password, source: "flag" });
const few = { iterations: 10, time: 0, warmupIterations: 1 };

describe("per-server probes (loopback coturn)", () => {
  bench("STUN Binding over UDP", async () => {
    await probeServer(target(`stun:127.0.0.1:${coturn.port}`), 0, { timeoutMs: 3000 });
  }, few);
  bench("TURN Allocate + release over UDP", async () => {
    await probeServer(target(`turn:127.0.0.1:${coturn.port}`, coturn.password), 0, { timeoutMs: 3000 });
  }, few);
  bench("TURN Allocate + release over TLS", async () => {
    await probeServer(target(`turns:localhost:${coturn.tlsPort}?transport=tcp`, coturn.password), 0, { timeoutMs: 3000, tlsCa: coturn.caPem });
  }, few);
  bench("wrong TURN password: rtc-doctor reads the 401", async () => {
    await probeServer(target(`turn:127.0.0.1:${coturn.port}`, "wrong"), 0, { timeoutMs: 10_000 });
  }, few);
  bench("wrong TURN password: werift's TURN client (reports a timeout)", async () => {
    await createTurnClient({ address: ["127.0.0.1", coturn.port], username: coturn.user, password: "wrong" }, { transport: "udp" }).catch(() => undefined);
  }, { iterations: 1, time: 0, warmupIterations: 0 });
});

describe("NAT classification (loopback, RFC 5780 coturn, no NAT)", () => {
  bench("rtc-doctor classifyNat", async () => {
    await classifyNat([{ url: `stun:127.0.0.1:${rfc5780.port}`, address: { address: "127.0.0.1", port: rfc5780.port, family: 4 } }]);
  }, few);
  bench("turnutils_natdiscovery -m -f", () => {
    spawnSync("turnutils_natdiscovery", ["-m", "-f", "-p", String(rfc5780.port), "127.0.0.1"], { stdio: "ignore", timeout: 20_000 });
  }, few);
});

describe("whole check() (probes, werift gathering, NAT, loopback connections)", () => {
  bench("STUN + TURN over UDP, TCP and TLS", async () => {
    await check({
      stun: [`stun:127.0.0.1:${coturn.port}`],
      turn: [`turn:127.0.0.1:${coturn.port}`, `turn:127.0.0.1:${coturn.port}?transport=tcp`, `turns:localhost:${coturn.tlsPort}?transport=tcp`],
      username: coturn.user,
      credential: coturn.password,
      tlsCa: coturn.caPem,
    });
  }, { iterations: 3, time: 0, warmupIterations: 0 });
});
