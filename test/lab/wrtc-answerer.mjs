// A libwebrtc far end (@roamhq/wrtc, the stack inside Chrome) as its own process, so it can run
// inside a lab namespace: `ip netns exec NS node wrtc-answerer.mjs '<json>'` with
// {"port": 7860, "iceServers": [...], "gatherTimeoutMs": 8000}. It answers Pipecat-style offers
// (POST /api/offer) once gathering completed or, with "answerOn": "srflx", once a server-reflexive
// candidate is there (libwebrtc in a namespace keeps gathering for seconds after it), echoes on the
// data channel, and prints "listening PORT" once ready. Ends on SIGTERM.
import { createRequire } from "node:module";
import { createServer } from "node:http";

const config = JSON.parse(process.argv[2] ?? "{}");
const wrtc = createRequire(import.meta.url)("@roamhq/wrtc");
const peers = new Set();

async function answer(offerSdp) {
  const pc = new wrtc.RTCPeerConnection({ iceServers: config.iceServers ?? [] });
  peers.add(pc);
  pc.ondatachannel = ({ channel }) => {
    channel.onmessage = ({ data }) => {
      if (channel.readyState === "open") channel.send(String(data));
    };
  };
  await pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
  let srflx = false;
  const gathered = new Promise((resolve) => {
    // Past the bound the answer goes out with what there is, as a bot with a slow server would.
    const timer = setTimeout(resolve, config.gatherTimeoutMs ?? 8000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === "complete") done();
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && / typ srflx /.test(candidate.candidate)) srflx = true;
      if (srflx && config.answerOn === "srflx") done();
    };
  });
  await pc.setLocalDescription(await pc.createAnswer());
  if (pc.iceGatheringState !== "complete" && !(srflx && config.answerOn === "srflx")) await gathered;
  return pc.localDescription?.sdp ?? "";
}

const server = createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d.toString()));
  req.on("end", () => {
    if (req.method !== "POST" || req.url !== "/api/offer") {
      res.writeHead(404).end();
      return;
    }
    answer(JSON.parse(body).sdp).then(
      (sdp) => res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ sdp, type: "answer", pc_id: `wrtc-${peers.size}` })),
      (error) => res.writeHead(500).end(String(error)),
    );
  });
});

server.listen(config.port ?? 7860, "0.0.0.0", () => process.stdout.write(`listening ${server.address().port}\n`));

process.once("SIGTERM", () => {
  for (const pc of peers) pc.close();
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
