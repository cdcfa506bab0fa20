// Answers an offer read from stdin with a werift peer and prints the answer once gathering is done.
// Run inside a network namespace (see capture-sdp-fixtures.mjs) so the answer carries only the
// namespace's addresses. argv[2]: a STUN URL that does not answer, so no srflx candidate appears.
import { RTCPeerConnection } from "werift";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const offer = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const pc = new RTCPeerConnection({ iceServers: [{ urls: process.argv[2] }] });
await pc.setRemoteDescription(offer);
await pc.setLocalDescription(await pc.createAnswer());
process.stdout.write(JSON.stringify({ type: "answer", sdp: pc.localDescription.sdp }));
await pc.close();
// werift 0.24 keeps timers alive after close (see notes/werift.md).
process.exit(0);
