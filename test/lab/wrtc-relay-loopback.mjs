// libwebrtc's side of the side-by-side on a lab path: two @roamhq/wrtc peers in one process connect
// through one TURN URL, relay candidates only, exactly as rtc-doctor's loopback relay attempt does
// with werift (offer and answer exchanged after gathering, data channel from the offerer). Run
// inside a lab namespace, it prints one JSON line per attempt:
//   {"ok":true,"timeToDataChannelMs":1834} or {"ok":false,"stalledIn":"dtls","durationMs":10003}
//
//   node wrtc-relay-loopback.mjs TURN_URL USERNAME CREDENTIAL [ATTEMPTS [CONNECT_TIMEOUT_MS]]
//
// The clock starts, as rtc-doctor's does, before the offer is made (peers constructed) and stops
// when the offerer's data channel is open; the connect bound counts from the answer, as rtc-doctor's
// connect timeout does, with the same 5 s bound on each side's gathering.
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

const wrtc = createRequire(import.meta.url)("@roamhq/wrtc");
const [url, username, credential, attemptsArg = "1", connectArg = "10000"] = process.argv.slice(2);
const GATHER_TIMEOUT_MS = 5000;

/**
 * Resolves once the peer holds a relay candidate (or gathering completed, or the bound passed).
 * In a lab namespace libwebrtc's gathering with a relay-only policy never reaches "complete" (it
 * keeps a port open for the IPv6 link-local network): waiting for it would time every attempt at
 * the gathering bound. werift resolves setLocalDescription once its one TURN allocation is done,
 * which is the moment the relay candidate exists, so this is the same point in both stacks.
 */
function gathered(pc) {
  const hasRelay = () => / typ relay /.test(pc.localDescription?.sdp ?? "");
  if (pc.iceGatheringState === "complete" || hasRelay()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok) => {
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), GATHER_TIMEOUT_MS);
    pc.addEventListener("icecandidate", ({ candidate }) => {
      if (candidate === null || / typ relay /.test(candidate.candidate ?? "")) done(true);
    });
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") done(true);
    });
  });
}

async function attempt(connectTimeoutMs) {
  const config = { iceServers: [{ urls: url, username, credential }], iceTransportPolicy: "relay" };
  const offerer = new wrtc.RTCPeerConnection(config);
  const answerer = new wrtc.RTCPeerConnection(config);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const states = { ice: "new", dtls: undefined };
  offerer.addEventListener("iceconnectionstatechange", () => (states.ice = offerer.iceConnectionState));
  try {
    answerer.ondatachannel = ({ channel }) => {
      channel.onmessage = ({ data }) => channel.readyState === "open" && channel.send(data);
    };
    const channel = offerer.createDataChannel("rtc-doctor");
    const open = new Promise((resolve) => channel.addEventListener("open", () => resolve(elapsed())));
    await offerer.setLocalDescription(await offerer.createOffer());
    await gathered(offerer);
    await answerer.setRemoteDescription(offerer.localDescription);
    await answerer.setLocalDescription(await answerer.createAnswer());
    await gathered(answerer);
    await offerer.setRemoteDescription(answerer.localDescription);
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(undefined), connectTimeoutMs)));
    const openedAt = await Promise.race([open, timeout]);
    clearTimeout(timer);
    if (openedAt !== undefined) return { ok: true, timeToDataChannelMs: openedAt };
    const connected = states.ice === "connected" || states.ice === "completed";
    return { ok: false, stalledIn: connected ? "dtls-or-data-channel" : "checking", durationMs: elapsed() };
  } finally {
    offerer.close();
    answerer.close();
  }
}

for (let i = 0; i < Number(attemptsArg); i++) {
  process.stdout.write(`${JSON.stringify(await attempt(Number(connectArg)))}\n`);
}
process.exit(0);
