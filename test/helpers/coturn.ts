import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { newRequest, methods, isSuccess } from "../../src/stun/message.js";
import { UdpStunSocket } from "../../src/stun/udp-socket.js";
import { openStreamChannel } from "../../src/stun/stream-channel.js";

/** A real coturn on loopback for one test file. Everything it needs lives in one temp directory. */
export interface CoturnOptions {
  /** Start TLS listeners with a certificate generated for "localhost" and 127.0.0.1. Default true. */
  tls?: boolean;
  /** Sign the server certificate itself instead of with the throwaway CA. */
  selfSigned?: boolean;
  /** Validity of the server certificate in days (default 30). */
  certDays?: number;
  /** The certificate's subjectAltName entries (default DNS:localhost, IP:127.0.0.1), e.g. a lab address. */
  certNames?: string[];
  udp?: boolean;
  tcp?: boolean;
  /** coturn --user-quota: concurrent allocations per user. */
  userQuota?: number;
  user?: string;
  password?: string;
  realm?: string;
  /** Number of relay ports (min-port..max-port). Default 20. */
  relayPorts?: number;
  /** RFC 5780 (OTHER-ADDRESS): coturn needs a second listening IP, so 127.0.0.2 is added. Default off. */
  rfc5780?: boolean;
  extraArgs?: string[];
  /** Bound on the readiness wait. Default 10 s. */
  startTimeoutMs?: number;
}

export interface Coturn {
  host: "127.0.0.1";
  port: number;
  /** TLS (and DTLS, if enabled) listener, when tls is on. */
  tlsPort?: number;
  user: string;
  password: string;
  realm: string;
  /** The throwaway CA that signed the server certificate (or the certificate itself when self-signed). */
  caPem?: string;
  /** Everything coturn wrote (--log-file=stdout), for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
const running = new Set<{ child: ChildProcess; dir: string }>();

// A failed test or an aborted run must not leave coturn behind holding ports: kill what is left.
process.once("exit", () => {
  for (const r of running) {
    r.child.kill("SIGKILL");
    rmSync(r.dir, { recursive: true, force: true });
  }
});

export function turnserverAvailable(): boolean {
  return spawnSync("turnserver", ["--version"], { stdio: "ignore" }).error === undefined;
}

export const TURNSERVER_MISSING =
  "coturn's 'turnserver' is not installed (Debian/Ubuntu: apt-get install -y coturn openssl); the integration tests need it";

export async function startCoturn(options: CoturnOptions = {}): Promise<Coturn> {
  if (!turnserverAvailable()) throw new Error(TURNSERVER_MISSING);
  const dir = mkdtempSync(join(tmpdir(), "rtc-doctor-coturn-"));
  try {
    const certs = options.tls === false ? undefined : makeCertificates(dir, options);
    let lastError: unknown;
    // A port found free can be taken by someone else before coturn binds it: then pick new ports.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        return await launch(dir, options, certs);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function launch(dir: string, options: CoturnOptions, certs: Certificates | undefined): Promise<Coturn> {
  const user = options.user ?? "rtcdoctor";
  const password = options.password ?? `pw-${randomBytes(6).toString("hex")}`;
  const realm = options.realm ?? "rtc-doctor.test";
  // With RFC 5780 coturn also listens on port + 1 (its alternative port); keep that one free too.
  const port = await freePort([], options.rfc5780 ? 1 : 0);
  const tlsPort = certs ? await freePort([port, port + 1], options.rfc5780 ? 1 : 0) : undefined;
  const relayCount = options.relayPorts ?? 20;
  const relayMin = await freeRange(relayCount, [port, port + 1, tlsPort ?? 0, (tlsPort ?? 0) + 1]);

  const args = [
    "-n",
    "--log-file=stdout",
    "--simple-log",
    `--listening-ip=${HOST}`,
    `--relay-ip=${HOST}`,
    `--listening-port=${port}`,
    `--min-port=${relayMin}`,
    `--max-port=${relayMin + relayCount - 1}`,
    "--lt-cred-mech",
    `--user=${user}:${password}`,
    `--realm=${realm}`,
    "--allow-loopback-peers",
    "--no-cli",
    "--no-dtls",
    `--pidfile=${join(dir, "turnserver.pid")}`,
    `--userdb=${join(dir, "turndb")}`,
  ];
  if (certs && tlsPort) args.push(`--tls-listening-port=${tlsPort}`, `--cert=${certs.certFile}`, `--pkey=${certs.keyFile}`);
  else args.push("--no-tls");
  if (options.rfc5780) args.push("--listening-ip=127.0.0.2");
  else args.push("--no-rfc5780");
  if (options.udp === false) args.push("--no-udp");
  if (options.tcp === false) args.push("--no-tcp");
  if (options.userQuota !== undefined) args.push(`--user-quota=${options.userQuota}`);
  args.push(...(options.extraArgs ?? []));

  const child = spawn("turnserver", args, { stdio: ["ignore", "pipe", "pipe"] });
  const entry = { child, dir };
  running.add(entry);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async () => {
    if (!running.has(entry)) return;
    running.delete(entry);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killTimer = setTimeout(() => child.kill("SIGKILL"), 2000);
      await exited;
      clearTimeout(killTimer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitReady(options, port, tlsPort, options.startTimeoutMs ?? 10_000, () => child.exitCode !== null);
  } catch (error) {
    running.delete(entry);
    child.kill("SIGKILL");
    await exited;
    throw new Error(`coturn did not become ready: ${(error as Error).message}\n--- coturn output ---\n${output}`);
  }
  return {
    host: HOST,
    port,
    tlsPort,
    user,
    password,
    realm,
    caPem: certs?.caPem,
    logs: () => output,
    stop,
  };
}

/** Polls until coturn answers on every listener the test will use; bounded by timeoutMs. */
async function waitReady(
  options: CoturnOptions,
  port: number,
  tlsPort: number | undefined,
  timeoutMs: number,
  hasExited: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const checks: (() => Promise<boolean>)[] = [];
  if (options.udp !== false) checks.push(() => udpAnswers(port));
  if (options.tcp !== false) checks.push(() => streamAnswers(port, "tcp"));
  if (tlsPort) checks.push(() => streamAnswers(tlsPort, "tls"));
  for (const check of checks) {
    for (;;) {
      if (hasExited()) throw new Error("turnserver exited");
      if (await check()) break;
      if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms`);
      // The retry is paced by the check's own timeout, which bounds each attempt.
    }
  }
}

async function udpAnswers(port: number): Promise<boolean> {
  const socket = await UdpStunSocket.open(4);
  try {
    const result = await socket.request(newRequest(methods.BINDING), { address: HOST, port, family: 4 }, {
      timeoutMs: 200,
      initialRtoMs: 50,
    });
    return isSuccess(result.response);
  } catch {
    return false;
  } finally {
    socket.close();
  }
}

async function streamAnswers(port: number, transport: "tcp" | "tls"): Promise<boolean> {
  try {
    const channel = await openStreamChannel({ address: HOST, port, family: 4 }, { transport, timeoutMs: 200 });
    try {
      const result = await channel.request(newRequest(methods.BINDING), { timeoutMs: 200 });
      return isSuccess(result.response);
    } finally {
      channel.close();
    }
  } catch {
    // A refused connection returns at once; wait a little so the loop does not spin.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return false;
  }
}

/** A port (and `extra` ports after it) free for both UDP and TCP on loopback, found by binding. */
async function freePort(avoid: number[] = [], extra = 0): Promise<number> {
  for (let i = 0; i < 50; i += 1) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    const ports = Array.from({ length: extra + 1 }, (_, k) => port + k);
    if (ports.some((p) => avoid.includes(p))) continue;
    let free = true;
    for (const p of ports) free &&= (await tcpFree(p)) && (await udpFree(p));
    if (free) return port;
  }
  throw new Error("no free port found on 127.0.0.1");
}

async function freeRange(count: number, avoid: number[]): Promise<number> {
  for (let i = 0; i < 50; i += 1) {
    const start = 20000 + Math.floor(Math.random() * (40000 - count));
    const ports = Array.from({ length: count }, (_, k) => start + k);
    if (ports.some((p) => avoid.includes(p))) continue;
    const free = await Promise.all(ports.map(udpFree));
    if (free.every(Boolean)) return start;
  }
  throw new Error(`no range of ${count} free UDP ports found on 127.0.0.1`);
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, HOST, () => socket.close(() => resolve(true)));
  });
}

export interface Certificates {
  certFile: string;
  keyFile: string;
  caPem: string;
}

function openssl(args: string[], cwd: string): void {
  const result = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (result.error) throw new Error(`openssl is needed to make the test certificate: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

/** A throwaway CA and a server certificate for localhost / 127.0.0.1 (EC keys: fast to make). */
export function makeCertificates(dir: string, options: CoturnOptions): Certificates {
  const days = String(options.certDays ?? 30);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const san = `subjectAltName=${(options.certNames ?? ["DNS:localhost", "IP:127.0.0.1"]).join(",")}`;
  if (options.selfSigned) {
    openssl(["req", "-x509", ...ec, "-keyout", "server.key", "-out", "server.pem", "-days", days, "-subj", "/CN=localhost", "-addext", san], dir);
    const pem = readFileSync(join(dir, "server.pem"), "utf8");
    return { certFile: join(dir, "server.pem"), keyFile: join(dir, "server.key"), caPem: pem };
  }
  openssl(
    ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=rtc-doctor test CA",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    dir,
  );
  openssl(["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], dir);
  writeFileSync(join(dir, "server.ext"), `${san}\nextendedKeyUsage=serverAuth\n`);
  openssl(
    ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
      "-out", "server.pem", "-days", days, "-extfile", "server.ext"],
    dir,
  );
  return { certFile: join(dir, "server.pem"), keyFile: join(dir, "server.key"), caPem: readFileSync(join(dir, "ca.pem"), "utf8") };
}
