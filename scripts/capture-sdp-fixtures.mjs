// Captures the SDP and webrtc-internals fixtures under test/fixtures from real werift peers.
// Run as root from the repository root: node scripts/capture-sdp-fixtures.mjs
// Needs coturn's turnserver and iproute2. Talks only to loopback and to a network namespace it
// creates (and removes). Each fixture's README line says which step below made it.
import { spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { writeFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { RTCPeerConnection } from "werift";

const SDP = "test/fixtures/sdp";
const DUMPS = "test/fixtures/webrtc-internals";

async function freeUdpPort() {
  const socket = createSocket("udp4");
  await new Promise((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise((resolve) => socket.close(resolve));
  return port;
}

function write(path, text) {
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}

async function startCoturn() {
  const port = await freeUdpPort();
  const relay = 40000 + Math.floor(Math.random() * 20000);
  const child = spawn("turnserver", [
    "-n", "--log-file=stdout", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", `--listening-port=${port}`,
    `--min-port=${relay}`, `--max-port=${relay + 20}`, "--lt-cred-mech", "--user=capture:capture-pw", "--realm=capture",
    "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls", "--no-rfc5780", "--no-tcp",
  ], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  // Ready once it logs its listener; bounded.
  for (let i = 0; i < 100 && !/listener opened on/.test(log); i += 1) await delay(50);
  return { port, stop: () => child.kill("SIGKILL") };
}

/** Records what a webrtc-internals page would: API calls and events in order, then stats series. */
function recorder(pc) {
  const updateLog = [];
  const log = (type, value) => updateLog.push({ time: new Date().toISOString(), type, value });
  pc.onicecandidate = ({ candidate }) => {
    if (candidate?.candidate) log("icecandidate", `sdpMid: ${candidate.sdpMid}, sdpMLineIndex: ${candidate.sdpMLineIndex}, candidate: ${candidate.candidate}`);
  };
  pc.iceConnectionStateChange.subscribe((s) => log("iceconnectionstatechange", s));
  pc.connectionStateChange.subscribe((s) => log("connectionstatechange", s));
  pc.signalingStateChange.subscribe((s) => log("signalingstatechange", s));
  return {
    log,
    async dump(config) {
      const report = await pc.getStats();
      const stats = {};
      const now = new Date().toISOString();
      for (const s of report.values()) {
        for (const [field, value] of Object.entries(s)) {
          if (field === "id" || field === "type" || value === undefined) continue;
          stats[`${s.id}-${field}`] = { startTime: now, endTime: now, statsType: s.type, values: JSON.stringify([value]) };
        }
      }
      return { rtcConfiguration: config, constraints: "", url: "https://app.example/call", updateLog, stats };
    },
  };
}

function rewriteCandidates(sdp, address) {
  return sdp.replace(/^(a=candidate:\S+ \d+ \S+ \d+ )(\S+)( \d+ typ host)/gm, `$1${address}$3`);
}

async function waitState(pc, states, ms) {
  const deadline = Date.now() + ms;
  while (!states.includes(pc.iceConnectionState) && Date.now() < deadline) await delay(50);
  return pc.iceConnectionState;
}

const closedPort = await freeUdpPort();
const deadStun = `stun:127.0.0.1:${closedPort}`;

// 1. An offer taken from createOffer() without waiting for gathering (what a client that sends at once posts).
{
  const pc = new RTCPeerConnection({ iceServers: [{ urls: deadStun }] });
  pc.createDataChannel("chat");
  const offer = await pc.createOffer();
  write(`${SDP}/werift-offer-before-gathering.sdp`, offer.sdp);
  await pc.close();
}

const coturn = await startCoturn();
try {
  const stun = `stun:127.0.0.1:${coturn.port}`;
  const turn = { urls: `turn:127.0.0.1:${coturn.port}?transport=udp`, username: "capture", credential: "capture-pw" };

  // 2. A complete offer/answer pair between two werift peers, both gathered through coturn on loopback.
  {
    const config = { iceServers: [{ urls: stun }, turn] };
    const a = new RTCPeerConnection(config);
    const b = new RTCPeerConnection(config);
    const rec = recorder(a);
    a.createDataChannel("chat");
    rec.log("createDataChannel", 'label: "chat", reliable: true');
    const offer = await a.createOffer();
    rec.log("createOffer", "");
    await a.setLocalDescription(offer);
    rec.log("setLocalDescription", `type: offer, sdp: ${a.localDescription.sdp}`);
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(await b.createAnswer());
    write(`${SDP}/werift-offer-answer.json`, JSON.stringify({ offer: a.localDescription.sdp, answer: b.localDescription.sdp }, null, 2) + "\n");
    await a.setRemoteDescription(b.localDescription);
    rec.log("setRemoteDescription", `type: answer, sdp: ${b.localDescription.sdp}`);
    const state = await waitState(a, ["connected"], 10_000);
    console.log(`healthy pair: ${state}`);
    const dump = { getUserMedia: [], PeerConnections: { "4242-1": await rec.dump({ iceServers: [{ urls: [stun] }, { urls: [turn.urls] }] }) }, UserAgent: "werift 0.24.4 (rtc-doctor capture script)" };
    write(`${DUMPS}/werift-connected.json`, JSON.stringify(dump, null, 2) + "\n");
    await a.close();
    await b.close();
  }

  // 3. Relay-only offerer whose far side's candidates do not answer: the answer's host addresses are
  //    rewritten to 192.0.2.99, where nothing listens, so every check through the relay goes unanswered.
  {
    const config = { iceServers: [turn], iceTransportPolicy: "relay" };
    const a = new RTCPeerConnection(config);
    const b = new RTCPeerConnection({ iceServers: [{ urls: deadStun }] });
    const rec = recorder(a);
    a.createDataChannel("chat");
    rec.log("createDataChannel", 'label: "chat", reliable: true');
    await a.setLocalDescription(await a.createOffer());
    rec.log("setLocalDescription", `type: offer, sdp: ${a.localDescription.sdp}`);
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(await b.createAnswer());
    const answer = { type: "answer", sdp: rewriteCandidates(b.localDescription.sdp, "192.0.2.99") };
    await b.close();
    await a.setRemoteDescription(answer);
    rec.log("setRemoteDescription", `type: answer, sdp: ${answer.sdp}`);
    // werift never reports "failed" (notes/werift.md): the capture looks at the pairs after a bound.
    const state = await waitState(a, ["connected", "failed"], 8_000);
    console.log(`unreachable far side: ${state}`);
    const dump = { getUserMedia: [], PeerConnections: { "4343-1": await rec.dump({ iceServers: [{ urls: [turn.urls] }], iceTransportPolicy: "relay" }) }, UserAgent: "werift 0.24.4 (rtc-doctor capture script)" };
    write(`${DUMPS}/werift-relay-far-side-unreachable.json`, JSON.stringify(dump, null, 2) + "\n");
    await a.close();
  }
} finally {
  coturn.stop();
}

// 4. Answers made inside a network namespace whose only addresses are private (10.20.30.40) or
//    Docker's default bridge (172.17.0.2), as a server without STUN/TURN (or in a container) sends them.
for (const [name, cidr] of [["private-host-only", "10.20.30.40/24"], ["docker-bridge-only", "172.17.0.2/16"]]) {
  const ns = `rtcd-capture-${process.pid}`;
  const run = (...args) => {
    const r = spawnSync("ip", args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
  };
  run("netns", "add", ns);
  try {
    run("-n", ns, "link", "set", "lo", "up");
    // A veth whose host end stays down: the namespace gets an interface with the address, and no route out.
    run("link", "add", `rcap${process.pid}`, "type", "veth", "peer", "name", "eth0", "netns", ns);
    run("-n", ns, "addr", "add", cidr, "dev", "eth0");
    // libuv lists only interfaces that are up and running (carrier), so the host end must be up too.
    run("link", "set", `rcap${process.pid}`, "up");
    run("-n", ns, "link", "set", "eth0", "up");
    const pc = new RTCPeerConnection({ iceServers: [{ urls: deadStun }] });
    pc.createDataChannel("chat");
    await pc.setLocalDescription(await pc.createOffer());
    const r = spawnSync("ip", ["netns", "exec", ns, process.execPath, "scripts/capture-answer.mjs", deadStun], {
      input: JSON.stringify(pc.localDescription),
      encoding: "utf8",
      timeout: 30_000,
    });
    await pc.close();
    if (r.status !== 0) throw new Error(`answerer failed: ${r.stderr}`);
    write(`${SDP}/werift-answer-${name}.sdp`, JSON.parse(r.stdout).sdp);
  } finally {
    spawnSync("ip", ["link", "del", `rcap${process.pid}`]);
    spawnSync("ip", ["netns", "del", ns]);
  }
}
process.exit(0);
