import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.js";
import { makeCertificates } from "../helpers/coturn.js";
import { freeTcpPort } from "../helpers/ports.js";
import { expectContained, runCase, SECRET, type HostileCase } from "../helpers/hostile-run.js";
import {
  FLOOD_COPIES,
  startFilteredTcp,
  startHostileTcp,
  startHostileUdp,
  startSilentTls,
  type Hostile,
  type TcpMisbehaviour,
  type UdpMisbehaviour,
} from "../helpers/hostile-servers.js";

// The real CLI against STUN and TURN servers that misbehave (servers the test starts, on loopback):
// each failure named as what it is, exit 1, no stack trace, no piece of the credential, and a run
// that ends within a few times its configured timeouts. Short timeouts keep the suite fast.
const TIMEOUT_MS = 1000;
const ONLY_SERVERS = ["check", "--no-gather", "--no-nat", "--no-connect", "--timeout", String(TIMEOUT_MS)];
/** A STUN probe waits at most the timeout; a TURN probe may add its release's own second. */
const STUN_BUDGET = TIMEOUT_MS;
const TURN_BUDGET = 2 * TIMEOUT_MS;

const stunCase = (name: string, url: () => string, words: RegExp[], extra: string[] = []): HostileCase & { url: () => string } => ({
  name,
  url,
  get args() {
    return [...ONLY_SERVERS, ...extra, "--ice-servers", JSON.stringify([{ urls: url(), username: "u", credential: SECRET }])];
  },
  budgetMs: STUN_BUDGET,
  words,
});
const turnCase = (name: string, url: () => string, words: RegExp[], extra: string[] = []): HostileCase & { url: () => string } => ({
  name,
  url,
  get args() {
    return [...ONLY_SERVERS, ...extra, "--turn", url(), "--username", "u", "--credential", SECRET];
  },
  budgetMs: TURN_BUDGET,
  words,
});

/** Whether the case's server shows a certificate (the handshake completes). */
const withCertificate = <C extends HostileCase>(c: C, certificate: boolean): C & { certificate: boolean } => Object.assign(c, { certificate });

const udp = new Map<UdpMisbehaviour, Hostile>();
const tcp = new Map<TcpMisbehaviour, Hostile>();
let filtered: Hostile;
let refusedPort: number;
let selfSigned: Hostile;
let dir: string;

beforeAll(async () => {
  for (const how of ["silent", "garbage", "truncated", "wrong-transaction", "flood"] as const) udp.set(how, await startHostileUdp(how));
  for (const how of ["silent", "http", "banner", "binary", "closes", "drip"] as const) tcp.set(how, await startHostileTcp(how));
  filtered = await startFilteredTcp();
  refusedPort = await freeTcpPort();
  dir = mkdtempSync(join(tmpdir(), "rtc-doctor-hostile-"));
  const certs = makeCertificates(dir, { selfSigned: true });
  selfSigned = await startSilentTls({ cert: readFileSync(certs.certFile, "utf8"), key: readFileSync(certs.keyFile, "utf8") });
});
afterAll(async () => {
  await Promise.all([...udp.values(), ...tcp.values(), filtered, selfSigned].filter(Boolean).map((s) => s.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const on = (map: Map<string, Hostile>, how: string) => () => String(map.get(how)?.port);
const u = (how: UdpMisbehaviour) => on(udp, how);
const t = (how: TcpMisbehaviour) => on(tcp, how);

/** No raw OpenSSL text (addresses, source paths, error numbers) anywhere. */
const NO_OPENSSL = /^(?![\s\S]*(SSL routines|error:0A0|openssl\/ssl))/;

describe.concurrent("STUN over UDP", () => {
  it.each([
    stunCase("never answers", () => `stun:127.0.0.1:${u("silent")()}`, [/no answer from 127\.0\.0\.1:\d+ over UDP/, /\[stun-server-unreachable\]/]),
    stunCase("answers garbage", () => `stun:127.0.0.1:${u("garbage")()}`, [/replies that were not STUN/, /answers, but not with STUN \[stun-server-malformed-reply\]/]),
    stunCase("answers truncated messages", () => `stun:127.0.0.1:${u("truncated")()}`, [/not STUN/, /\[stun-server-malformed-reply\]/]),
    stunCase("answers with a wrong transaction id", () => `stun:127.0.0.1:${u("wrong-transaction")()}`, [/wrong transaction id/, /\[stun-server-malformed-reply\]/]),
  ])("$name", async (c) => {
    const run = await runCase(c);
    expectContained(c, run);
    expect(run.result.stdout).not.toMatch(/udp-blocked/);
  });
});

describe.concurrent("a server that answers every request many times", () => {
  it("STUN Binding: the first answer is used, nothing is taken for a stray reply", async () => {
    // With the NAT tests: many transactions on one socket, each answered fifty times.
    const c: HostileCase = {
      name: "STUN flood",
      args: ["check", "--no-gather", "--no-connect", "--timeout", String(TIMEOUT_MS), "--json", "--fail-on", "warning", "--ice-servers", JSON.stringify([{ urls: `stun:127.0.0.1:${udp.get("flood")!.port}`, username: "u", credential: SECRET }])],
      budgetMs: 4 * TIMEOUT_MS,
      words: [/"mappedAddress"/],
    };
    const run = await runCase(c);
    expectContained(c, run);
    const report = JSON.parse(run.result.stdout) as Report;
    expect(report.servers[0]).toMatchObject({ ok: true, mappedAddress: { address: "127.0.0.1" } });
    expect(report.servers[0]?.strayReplies?.unknownTransaction ?? 0).toBe(0);
    expect(report.findings.map((f) => f.id)).not.toContain("stun-server-malformed-reply");
  });

  it("TURN Allocate over UDP: the allocation works, the copies are counted and named", async () => {
    const c: HostileCase = {
      name: "TURN flood",
      args: [...ONLY_SERVERS, "--json", "--fail-on", "warning", "--turn", `turn:127.0.0.1:${udp.get("flood")!.port}`, "--username", "u", "--credential", SECRET],
      budgetMs: TURN_BUDGET,
      words: [/"server-duplicate-replies"/],
    };
    const run = await runCase(c);
    expectContained(c, run);
    const [server] = (JSON.parse(run.result.stdout) as Report).servers;
    expect(server).toMatchObject({ ok: true, relayedAddress: { address: "127.0.0.1", port: 49_999 }, allocation: { released: true } });
    // Every answer but the last one's copies arrive while the probe still listens.
    expect(server?.strayReplies?.duplicates).toBe((FLOOD_COPIES - 1) * (server!.exchanges.length - 1));
    expect(server?.strayReplies?.unknownTransaction).toBe(0);
  });
});

describe.concurrent("STUN and TURN over TCP", () => {
  it.each([
    stunCase("STUN/TCP: refused", () => `stun:127.0.0.1:${refusedPort}?transport=tcp`, [/connection refused \(ECONNREFUSED\)/]),
    stunCase("STUN/TCP: no SYN-ACK (filtered)", () => `stun:127.0.0.1:${filtered.port}?transport=tcp`, [/the SYN got no SYN-ACK/, /filtered port/]),
    stunCase("STUN/TCP: connected, silent", () => `stun:127.0.0.1:${t("silent")()}?transport=tcp`, [/the TCP connection came up, then no answer within \d+ ms/, /TCP connection was accepted/]),
    stunCase("STUN/TCP: answers with HTTP", () => `stun:127.0.0.1:${t("http")()}?transport=tcp`, [/'HTTP\/1\.1 400 Bad Request' \(HTTP\), not STUN/, /\[stun-server-malformed-reply\]/]),
    turnCase("TURN/TCP: refused", () => `turn:127.0.0.1:${refusedPort}?transport=tcp`, [/connection refused \(ECONNREFUSED\)/, /\[turn-server-unreachable\]/]),
    turnCase("TURN/TCP: no SYN-ACK (filtered)", () => `turn:127.0.0.1:${filtered.port}?transport=tcp`, [/the SYN got no SYN-ACK/, /filtered port/, /\[turn-server-unreachable\]/]),
    turnCase("TURN/TCP: connected, silent", () => `turn:127.0.0.1:${t("silent")()}?transport=tcp`, [/accepts the connection but never answers \[turn-server-unreachable\]/]),
    turnCase("TURN/TCP: one byte per second", () => `turn:127.0.0.1:${t("drip")()}?transport=tcp`, [/the TCP connection came up, then no answer within \d+ ms/]),
    turnCase("TURN/TCP: an SSH banner", () => `turn:127.0.0.1:${t("banner")()}?transport=tcp`, [/'SSH-2\.0-OpenSSH_9\.2p1 Debian-2' \(SSH\), not STUN/, /\[turn-allocation-refused\]/]),
    turnCase("TURN/UDP: never answers", () => `turn:127.0.0.1:${u("silent")()}?transport=udp`, [/no answer from 127\.0\.0\.1:\d+ over UDP/]),
  ])("$name", async (c) => {
    expectContained(c, await runCase(c));
  });
});

describe.concurrent("TURN and STUN over TLS", () => {
  it.each([
    withCertificate(turnCase("turns: TCP up, handshake stalled", () => `turns:127.0.0.1:${t("silent")()}?transport=tcp`, [/TLS handshake with 127\.0\.0\.1:\d+ over TLS stalled/, /never completes the TLS handshake \[tls-handshake\]/]), false),
    withCertificate(turnCase("turns: plain HTTP", () => `turns:127.0.0.1:${t("http")()}?transport=tcp`, [/'HTTP\/1\.1 400 Bad Request' \(HTTP\), not TLS/, /does not speak TLS \[tls-handshake\]/]), false),
    withCertificate(turnCase("turns: binary garbage", () => `turns:127.0.0.1:${t("binary")()}?transport=tcp`, [/bytes starting de ad be ef 00 01 02 03, not TLS/, /\[tls-handshake\]/]), false),
    withCertificate(turnCase("turns: closes during the handshake", () => `turns:127.0.0.1:${t("closes")()}?transport=tcp`, [/closed the connection during the TLS handshake/, /fails \[tls-handshake\]/]), false),
    withCertificate(turnCase("turns: no SYN-ACK (filtered)", () => `turns:127.0.0.1:${filtered.port}?transport=tcp`, [/the SYN got no SYN-ACK/, /\[turn-server-unreachable\]/]), false),
    withCertificate(turnCase("turns: self-signed certificate", () => `turns:localhost:${selfSigned.port}?transport=tcp`, [/DEPTH_ZERO_SELF_SIGNED_CERT, self-signed/, /not valid for browsers \[turn-tls-certificate\]/]), true),
    withCertificate(stunCase("stuns: plain HTTP", () => `stuns:127.0.0.1:${t("http")()}`, [/\(HTTP\), not TLS/, /\[tls-handshake\]/]), false),
  ])("$name", async (c) => {
    const run = await runCase(c);
    expectContained(c, run);
    expect(run.result.stdout).toMatch(NO_OPENSSL);
    // The certificate rule speaks only about a certificate that was seen; the handshake rule only when none was.
    if (c.certificate) expect(run.result.stdout).not.toMatch(/\[tls-handshake\]/);
    else expect(run.result.stdout).not.toMatch(/\[turn-tls-certificate\]/);
  });
});
