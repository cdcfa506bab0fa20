import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Report } from "../../src/report/types.js";
import { closePeer, createPeer } from "../../src/webrtc/peer.js";
import { runCli } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/schema.js";
import { startServeProcess, type ServeProcess } from "../helpers/serve-process.js";

// Every step of the CLI bounds its own waits; these flags keep a failing run short, not a passing one.
const FAST = ["--no-nat", "--timeout", "3000", "--connect-timeout", "8000"];

function parse(stdout: string): Report {
  const report = JSON.parse(stdout) as Report;
  expectValidReport(report);
  return report;
}

describe("rtc-doctor serve + rtc-doctor check --signal, both from dist/", () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServeProcess(["--host", "127.0.0.1", "--port", "0", "--stun-port", "0", "--stun-alt-port", "0"]);
  });
  afterAll(async () => {
    await serve?.stop();
  });

  test("serve prints the exact check commands, with its own STUN responder as --stun", () => {
    expect(serve.whipCommand.slice(0, 5)).toEqual(["check", "--signal", expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/whip$/), "--protocol", "whip"]);
    expect(serve.whipCommand.slice(5, 7)).toEqual(["--stun", expect.stringMatching(/^stun:127\.0\.0\.1:\d+$/)]);
    expect(serve.pipecatCommand.slice(2, 5)).toEqual([expect.stringMatching(/\/api\/offer$/), "--protocol", "pipecat"]);
    expect(serve.stdout()).toMatch(/RFC 5780, other address 127\.0\.0\.1:\d+/);
  });

  test.each(["whip", "pipecat"] as const)("the printed %s command connects: exit 0, valid JSON, remote attempt ok", async (protocol) => {
    const command = protocol === "whip" ? serve.whipCommand : serve.pipecatCommand;
    const result = await runCli([...command, ...FAST, "--json"]);
    expect(result.stderr).toBe("");
    const report = parse(result.stdout);
    expect(result.code).toBe(0);
    const remote = report.connectivity?.find((c) => c.mode === "remote");
    expect(remote).toMatchObject({ ok: true, dtlsState: "connected", echo: { sent: 5, received: 5 } });
    expect(remote?.signalling?.protocol).toBe(protocol);
    expect(report.connectivity?.filter((c) => c.mode !== "remote").map((c) => [c.mode, c.ok])).toEqual([
      ["loopback-host", true],
      ["loopback-srflx", true],
    ]);
    // The remote attempt is also the session the SDP rules judge.
    expect(report.session?.source).toBe("connectivity");
    expect(report.session?.remote?.candidates.length).toBeGreaterThan(0);
    expect(report.findings.map((f) => f.id)).not.toContain("connection-stalled");
  });

  test("--token, --header values and query values never reach any output, human or JSON", async () => {
    const url = `${serve.whipCommand[2]}?key=q-s3cr3t-value`;
    for (const format of [["--json"], []]) {
      const stun = serve.whipCommand.slice(5, 7);
      const result = await runCli(["check", "--signal", url, "--protocol", "whip", ...stun, "--token", "t-s3cr3t-value", "--header", "X-Api-Key: h-s3cr3t-value", "--no-connect", ...FAST, ...format]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      for (const secret of ["t-s3cr3t-value", "h-s3cr3t-value", "q-s3cr3t-value"]) {
        expect(result.stdout).not.toContain(secret);
        expect(result.stderr).not.toContain(secret);
      }
    }
  });

  test("--no-connect without --signal makes no connection attempt at all", async () => {
    const stun = serve.whipCommand[6] as string;
    const report = parse((await runCli(["check", "--stun", stun, "--no-connect", "--json", ...FAST])).stdout);
    expect(report.connectivity).toBeUndefined();
  });
});

describe("a far end that answers, but with candidates nobody can reach", () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // werift's first import and peer cost more than the check's 1 s request bound on a loaded
    // machine: pay them here, so the answer below comes as fast as a warm far end's.
    await closePeer((await createPeer({ iceServers: [] })).pc);
    // A real answer from a werift peer, with every candidate moved to a closed loopback port: the
    // offer/answer succeeds and ICE has nothing that answers, deterministically.
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        if (req.method !== "POST") return void res.writeHead(req.method === "DELETE" ? 200 : 405).end();
        void (async () => {
          const peer = await createPeer({ iceServers: [] });
          await peer.pc.setRemoteDescription({ type: "offer", sdp: body });
          peer.prepareGathering();
          await peer.pc.setLocalDescription(await peer.pc.createAnswer());
          const sdp = (peer.pc.localDescription?.sdp ?? "").replace(/(a=candidate:\S+ \d+ udp \d+ )\S+ \d+/g, "$1127.0.0.1 9");
          await closePeer(peer.pc);
          res.writeHead(201, { "Content-Type": "application/sdp", Location: "/whip/session/1" }).end(sdp);
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/whip`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test("stalled in checking: exit 1, connection-stalled error with pair stats and the answer's candidates", async () => {
    const result = await runCli(["check", "--signal", url, "--protocol", "whip", "--stun", "stun:127.0.0.1:9", "--no-connect", "--json", "--no-nat", "--timeout", "1000", "--connect-timeout", "2000"]);
    const report = parse(result.stdout);
    expect(result.code).toBe(1);
    const remote = report.connectivity?.[0];
    expect(remote).toMatchObject({ mode: "remote", ok: false, stalledIn: "checking" });
    expect(remote?.pairs.length).toBeGreaterThan(0);
    expect(remote?.pairs.every((p) => p.remote.address === "127.0.0.1" && p.remote.port === 9 && (p.responsesReceived ?? 0) === 0)).toBe(true);
    expect(remote?.pairs.some((p) => (p.requestsSent ?? 0) > 0)).toBe(true);
    expect(remote?.signalling?.answer?.candidates.every((c) => c.address === "127.0.0.1")).toBe(true);
    const finding = report.findings.find((f) => f.id === "connection-stalled");
    expect(finding?.severity).toBe("error");
    expect(finding?.evidence.map((e) => e.path)).toEqual(expect.arrayContaining(["/connectivity/0/pairs", "/connectivity/0/signalling/answer/candidates"]));
  });

  test("human format shows the stall, the ICE timeline and the pair table", async () => {
    const result = await runCli(["check", "--signal", url, "--protocol", "whip", "--stun", "stun:127.0.0.1:9", "--no-connect", "--no-nat", "--timeout", "1000", "--connect-timeout", "2000"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/remote via http:\/\/127\.0\.0\.1:\d+\/whip {2}stalled in checking/);
    expect(result.stdout).toMatch(/ICE checking@/);
    expect(result.stdout).toMatch(/-> host udp 127\.0\.0\.1:9 {2}(failed|in-progress|waiting), \d+ sent \/ 0 answered/);
  });
});

describe("bad input: one line on stderr, exit 2, nothing sent", () => {
  test.each([
    [["check", "--signal", "ftp://example.invalid/x"], /--signal: expected an http:\/\/ or https:\/\/ URL/],
    [["check", "--signal", "not a url"], /--signal 'not a url': not a URL/],
    [["check", "--signal", "http://127.0.0.1:9/whip", "--header", "no-colon-here"], /--header: expected "Name: value"/],
    [["check", "--signal", "http://127.0.0.1:9/whip", "--header", "Content-Type: text/plain"], /Content-Type is set by rtc-doctor itself/],
    [["check", "--token", "abc123"], /--token applies to --signal/],
    [["check", "--signal", "http://127.0.0.1:9/whip", "--protocol", "xmpp"], /--protocol.*xmpp/],
    [["serve", "--port", "70000"], /--port must be a port number/],
  ])("%j", async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
