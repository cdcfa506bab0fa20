// One libwebrtc (@roamhq/wrtc) peer for capture-wrtc-fixtures.mjs, run inside a network namespace
// that script made, so the descriptions carry only that namespace's addresses. No ICE servers: the
// peer sends no STUN/TURN traffic, and it is never given a remote candidate to check.
//   argv[2] = "offer":  prints the createOffer() result, taken before gathering even started.
//   argv[2] = "answer": reads an offer ({type, sdp}) on stdin, prints the answer once gathering completed.
// Prints {type, sdp, notes}; notes say what libwebrtc did, for the fixtures README.
import { createRequire } from "node:module";

const { RTCPeerConnection } = createRequire(import.meta.url)("@roamhq/wrtc");
const GATHER_BOUND_MS = 10_000;
const count = (sdp) => (sdp.match(/^a=candidate:/gm) ?? []).length;

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function gatheringComplete(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), GATHER_BOUND_MS);
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState !== "complete") return;
      clearTimeout(timer);
      resolve(true);
    };
  });
}

const mode = process.argv[2];
const pc = new RTCPeerConnection({ iceServers: [] });
let result;
if (mode === "offer") {
  pc.createDataChannel("chat");
  const offer = await pc.createOffer();
  // What a client that posts right after setLocalDescription would send instead: recorded, not stored.
  await pc.setLocalDescription(offer);
  const notes = `createOffer(): ${count(offer.sdp)} candidates; localDescription right after setLocalDescription: ${count(pc.localDescription.sdp)} candidates, gathering ${pc.iceGatheringState}`;
  result = { type: "offer", sdp: offer.sdp, notes };
} else if (mode === "answer") {
  await pc.setRemoteDescription(await readStdin());
  await pc.setLocalDescription(await pc.createAnswer());
  const complete = await gatheringComplete(pc);
  const sdp = pc.localDescription.sdp;
  result = { type: "answer", sdp, notes: `gathering ${complete ? "completed" : `not complete after ${GATHER_BOUND_MS} ms`}: ${count(sdp)} candidates` };
} else {
  throw new Error(`unknown mode '${mode}' (offer | answer)`);
}
pc.close();
process.stdout.write(JSON.stringify(result));
// libwebrtc's threads keep the process alive for a while after close.
process.exit(0);
