import { createRequire } from "node:module";
import { createServer, type Server } from "node:http";
import { withNewIceCredentials } from "../../src/signalling/restart.js";
import { readSdpFragment } from "../../src/signalling/sdp-fragment.js";

/**
 * A far end built on libwebrtc (@roamhq/wrtc, the stack inside Chrome), independent of werift: it
 * answers WHIP (POST /whip, DELETE /whip/{id}) and Pipecat-style (POST /api/offer) offers and
 * echoes on the data channel, so rtc-doctor is tested against a second implementation. A WHIP
 * PATCH with a new ufrag/pwd is an ICE restart (RFC 9725 section 4.4.2), done by libwebrtc itself;
 * a PATCH with the current ufrag (a trickle) is not taken (404).
 */

interface WrtcChannel {
  readyState: string;
  send(data: string): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}
interface WrtcTrack {
  stop(): void;
}
interface WrtcAudioSource {
  createTrack(): WrtcTrack;
  onData(data: { samples: Int16Array; sampleRate: number; bitsPerSample: number; channelCount: number; numberOfFrames: number }): void;
}
interface WrtcPeer {
  addTrack(track: WrtcTrack): unknown;
  iceGatheringState: string;
  localDescription: { sdp: string } | null;
  onicegatheringstatechange: (() => void) | null;
  ondatachannel: ((event: { channel: WrtcChannel }) => void) | null;
  setRemoteDescription(d: { type: string; sdp: string }): Promise<void>;
  createAnswer(): Promise<{ type: string; sdp: string }>;
  setLocalDescription(d: { type: string; sdp: string }): Promise<void>;
  close(): void;
}
interface Wrtc {
  RTCPeerConnection: new (config: { iceServers: unknown[] }) => WrtcPeer;
  nonstandard: { RTCAudioSource: new () => WrtcAudioSource };
}

/**
 * What the far end does with audio: "tone" answers sendrecv and sends a 440 Hz tone from the moment it
 * answers, as a bot's greeting would; "receive-only" answers without a track of its own (recvonly).
 */
export type WrtcAudio = "tone" | "receive-only";

/** libwebrtc's audio sources take 10 ms frames. */
const FRAME = 480;

function toneFrame(index: number): Int16Array {
  const samples = new Int16Array(FRAME);
  for (let i = 0; i < FRAME; i += 1) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (index * FRAME + i)) / 48_000));
  return samples;
}

export function loadWrtc(): Wrtc {
  return createRequire(import.meta.url)("@roamhq/wrtc") as Wrtc;
}

export interface WrtcFarEnd {
  url: string;
  open(): number;
  close(): Promise<void>;
}

export async function startWrtcFarEnd(gatherTimeoutMs = 5000, audio: WrtcAudio = "tone"): Promise<WrtcFarEnd> {
  const wrtc = loadWrtc();
  const peers = new Map<string, WrtcPeer>();
  const tones = new Map<string, { timer: NodeJS.Timeout; track: WrtcTrack }>();
  /** The client's current offer per WHIP session: an sdpfrag restart changes its ICE lines. */
  const offers = new Map<string, string>();
  let next = 0;

  const closePeer = (id: string) => {
    const tone = tones.get(id);
    if (tone) {
      clearInterval(tone.timer);
      tone.track.stop();
      tones.delete(id);
    }
    peers.get(id)?.close();
    peers.delete(id);
    offers.delete(id);
  };

  async function answer(offerSdp: string): Promise<{ id: string; sdp: string }> {
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    const id = `wrtc-${(next += 1)}`;
    peers.set(id, pc);
    pc.ondatachannel = ({ channel }) => {
      channel.onmessage = ({ data }) => {
        if (channel.readyState === "open") channel.send(String(data));
      };
    };
    offers.set(id, offerSdp);
    await pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
    if (audio === "tone" && /^m=audio .*$/m.test(offerSdp) && !/^a=(sendonly|inactive)\r?$/m.test(offerSdp.slice(offerSdp.indexOf("m=audio")))) {
      // After the offer: addTrack then takes the audio transceiver the offer made, and the answer says sendrecv.
      const source = new wrtc.nonstandard.RTCAudioSource();
      const track = source.createTrack();
      pc.addTrack(track);
      let frame = 0;
      const timer = setInterval(() => {
        source.onData({ samples: toneFrame(frame % 100), sampleRate: 48_000, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME });
        frame += 1;
      }, 10);
      tones.set(id, { timer, track });
    }
    return { id, sdp: await answerGathered(pc) };
  }

  async function answerGathered(pc: WrtcPeer): Promise<string> {
    const gathered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("libwebrtc did not finish gathering")), gatherTimeoutMs);
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === "complete") {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    // Gathering may be over before the wait starts: the bound's later rejection is then nobody's.
    gathered.catch(() => undefined);
    await pc.setLocalDescription(await pc.createAnswer());
    if (pc.iceGatheringState !== "complete") await gathered;
    return pc.localDescription?.sdp ?? "";
  }

  /** The client's new ICE credentials into its offer; libwebrtc restarts ICE and answers with its own. */
  async function restart(id: string, fragment: string): Promise<string | undefined> {
    const pc = peers.get(id);
    const offer = offers.get(id);
    const frag = readSdpFragment(fragment);
    if (!pc || !offer || !frag.ufrag || !frag.pwd || frag.ufrag === /a=ice-ufrag:(\S+)/.exec(offer)?.[1]) return undefined;
    const next = withNewIceCredentials(offer, frag.ufrag, frag.pwd, frag.candidates, frag.end);
    offers.set(id, next);
    await pc.setRemoteDescription({ type: "offer", sdp: next });
    const sdp = await answerGathered(pc);
    const ice = readSdpFragment(sdp);
    return [`a=ice-ufrag:${ice.ufrag ?? ""}`, `a=ice-pwd:${ice.pwd ?? ""}`, ...ice.candidates.map((c) => `a=${c}`), "a=end-of-candidates", ""].join("\r\n");
  }

  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      void (async () => {
        const path = req.url ?? "/";
        if (req.method === "POST" && path === "/whip") {
          const { id, sdp } = await answer(body);
          res.writeHead(201, { "Content-Type": "application/sdp", Location: `/whip/${id}` }).end(sdp);
        } else if (req.method === "PATCH" && path.startsWith("/whip/") && req.headers["if-match"] === "*") {
          const fragment = await restart(path.slice("/whip/".length), body);
          if (fragment === undefined) res.writeHead(404).end();
          else res.writeHead(200, { "Content-Type": "application/trickle-ice-sdpfrag", ETag: `"${Date.now()}"` }).end(fragment);
        } else if (req.method === "DELETE" && path.startsWith("/whip/")) {
          closePeer(path.slice("/whip/".length));
          res.writeHead(200).end();
        } else if (req.method === "POST" && path === "/api/offer") {
          const offer = JSON.parse(body) as { sdp: string; type: string };
          const { id, sdp } = await answer(offer.sdp);
          res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ sdp, type: "answer", pc_id: id }));
        } else {
          res.writeHead(404).end();
        }
      })().catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    open: () => peers.size,
    async close() {
      for (const id of [...peers.keys()]) closePeer(id);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
