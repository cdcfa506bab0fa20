import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connectRemote, type RemoteOptions } from "../../src/probes/connect/remote.js";
import type { Report } from "../../src/report/types.js";
import { startServe, type RunningServe } from "../../src/serve/server.js";
import { runCli } from "../helpers/cli.js";
import { makeCertificates } from "../helpers/coturn.js";
import { startFront, type Front } from "../helpers/http-front.js";
import { expectValidReport } from "../helpers/schema.js";
import { healthyFacts } from "../helpers/facts.js";
import { runRules } from "../../src/rules/engine.js";
import { connectionStalled } from "../../src/rules/connection-stalled.js";
import { startServeProcess, type ServeProcess } from "../helpers/serve-process.js";

/**
 * `serve --token` and an https signalling URL with a private CA (`check --ca`): serve behind an
 * https front whose certificate a throwaway CA signed, as a reverse proxy with TLS would put it.
 */

// Bounds only; no assertion depends on a duration.
const BASE = { trickle: false, gatherTimeoutMs: 5000, httpTimeoutMs: 5000, connectTimeoutMs: 10_000, echoCount: 1, iceServers: [] };
const FAST = ["--no-nat", "--no-connect", "--timeout", "3000", "--connect-timeout", "8000", "--json"];
const TOKEN = "serve-t0ken-s3cr3t";

let dir: string;
let caFile: string;
let tls: { cert: string; key: string };
let caPem: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rtc-doctor-https-"));
  const certs = makeCertificates(dir, {});
  tls = { cert: readFileSync(certs.certFile, "utf8"), key: readFileSync(certs.keyFile, "utf8") };
  caPem = certs.caPem;
  caFile = join(dir, "ca.pem");
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (overrides: Partial<RemoteOptions> & Pick<RemoteOptions, "url" | "protocol">) => connectRemote({ ...BASE, ...overrides });

describe("serve --token (in process)", () => {
  let serve: RunningServe;
  beforeAll(async () => {
    serve = await startServe({ host: "127.0.0.1", port: 0, token: TOKEN });
  });
  afterAll(async () => {
    await serve?.close();
  });

  test("without the token every signalling request is 401 with WWW-Authenticate; the attempt says unauthorized", async () => {
    for (const [path, protocol] of [["/whip", "whip"], ["/api/offer", "pipecat"], ["/start", "auto"]] as const) {
      const fact = await run({ url: `${serve.url}${path}`, protocol });
      expect(fact).toMatchObject({ ok: false, stalledIn: "signalling", error: { code: "unauthorized" } });
      expect(fact.signalling?.exchanges.every((e) => e.status === 401)).toBe(true);
    }
    const wrong = await fetch(`${serve.url}/whip`, { method: "POST", headers: { authorization: "Bearer not-it", "content-type": "application/sdp" }, body: "v=0" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await fetch(`${serve.url}/`)).status).toBe(200);
    expect(serve.sessionCount()).toBe(0);
  });

  test.each([["/whip", "whip"], ["/start", "auto"]] as const)("with the token %s connects", async (path, protocol) => {
    const fact = await run({ url: `${serve.url}${path}`, protocol, token: TOKEN });
    expect(fact.error, JSON.stringify(fact.error)).toBeUndefined();
    expect(fact.ok).toBe(true);
    expect(JSON.stringify(fact)).not.toContain(TOKEN);
  });
});

describe("https signalling URL with a private CA (in process)", () => {
  let serve: RunningServe;
  let front: Front;
  beforeAll(async () => {
    serve = await startServe({ host: "127.0.0.1", port: 0 });
    front = await startFront({ backend: serve.url, tls });
  });
  afterAll(async () => {
    await front?.close();
    await serve?.close();
  });

  test("with the CA: the WHIP session connects over https, DELETE included", async () => {
    const fact = await run({ url: `${front.url}/whip`, protocol: "whip", tlsCa: caPem });
    expect(fact.error, JSON.stringify(fact.error)).toBeUndefined();
    expect(fact).toMatchObject({ ok: true, via: `${front.url}/whip` });
    expect(fact.signalling?.sessionDeleted).toBe(true);
  });

  test("without it: a signalling error that names the untrusted certificate, and a finding that names the CA option", async () => {
    const before = front.seen.length;
    const fact = await run({ url: `${front.url}/whip`, protocol: "whip" });
    expect(fact).toMatchObject({ ok: false, stalledIn: "signalling", error: { code: "tls-certificate-invalid" } });
    expect(fact.error?.message).toMatch(/TLS certificate of https:\/\/127\.0\.0\.1:\d+\/whip is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/);
    const [finding] = runRules([connectionStalled], { ...healthyFacts(), connectivity: [fact] });
    expect([finding?.message, finding?.fix]).toEqual(["remote-tls-untrusted", expect.stringContaining("give that CA with `tlsCa`")]);
    // The handshake failed before any request went out.
    expect(front.seen.length).toBe(before);
  });
});

describe("rtc-doctor serve --token behind https, rtc-doctor check --signal https://... --ca --token, both from dist/", () => {
  let serve: ServeProcess;
  let front: Front;
  beforeAll(async () => {
    serve = await startServeProcess(["--host", "127.0.0.1", "--port", "0", "--stun-port", "0", "--token", TOKEN]);
    const base = /^http:\/\/127\.0\.0\.1:\d+/.exec(serve.whipCommand[2] ?? "")?.[0];
    if (!base) throw new Error(`serve printed no usable URL:\n${serve.stdout()}`);
    front = await startFront({ backend: base, tls });
    writeFileSync(caFile, caPem);
  });
  afterAll(async () => {
    await front?.close();
    await serve?.stop();
  });

  test("the printed command carries a $RTC_DOCTOR_TOKEN placeholder, and serve never prints the token", () => {
    for (const command of [serve.whipCommand, serve.pipecatCommand]) {
      const at = command.indexOf("--token");
      expect(command[at + 1]).toBe('"$RTC_DOCTOR_TOKEN"');
    }
    expect(serve.stdout() + serve.stderr()).not.toContain(TOKEN);
  });

  async function check(extra: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; report: Report; stderr: string }> {
    const stun = serve.whipCommand.slice(serve.whipCommand.indexOf("--stun"), serve.whipCommand.indexOf("--stun") + 2);
    const result = await runCli(["check", "--signal", `${front.url}/whip`, "--protocol", "whip", ...stun, ...FAST, ...extra], { env });
    const report = JSON.parse(result.stdout) as Report;
    expectValidReport(report);
    return { code: result.code, report, stderr: result.stderr };
  }

  test("--ca and the token (as the shell fills the placeholder from RTC_DOCTOR_TOKEN): connected, exit 0, token in no output", async () => {
    const { code, report, stderr } = await check(["--ca", caFile, "--token", TOKEN]);
    const remote = report.connectivity?.find((c) => c.mode === "remote");
    expect(remote?.error, JSON.stringify(remote?.error)).toBeUndefined();
    expect(remote?.ok).toBe(true);
    expect(code).toBe(0);
    expect(JSON.stringify(report) + stderr).not.toContain(TOKEN);
  });

  test("the token from RTC_DOCTOR_TOKEN alone works too", async () => {
    const { code, report } = await check(["--ca", caFile], { RTC_DOCTOR_TOKEN: TOKEN });
    expect(report.connectivity?.find((c) => c.mode === "remote")?.ok).toBe(true);
    expect(code).toBe(0);
  });

  test("no token: exit 1, the remote attempt stopped in signalling with 401", async () => {
    const { code, report } = await check(["--ca", caFile]);
    const remote = report.connectivity?.find((c) => c.mode === "remote");
    expect(remote).toMatchObject({ ok: false, stalledIn: "signalling", error: { code: "unauthorized" } });
    expect(remote?.signalling?.exchanges.map((e) => e.status)).toContain(401);
    expect(code).toBe(1);
  });
});
