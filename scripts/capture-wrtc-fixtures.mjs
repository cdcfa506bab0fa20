// Captures SDP fixtures under test/fixtures/sdp from libwebrtc (@roamhq/wrtc), a second stack
// independent of werift. Run as root from the repository root: node scripts/capture-wrtc-fixtures.mjs
// Needs iproute2. Every peer runs inside a network namespace this script creates (and removes) and
// has no ICE servers, so nothing is sent anywhere; the offer is never applied on the answering side's
// far end, so no connectivity check is ever sent either.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";

const SDP = "test/fixtures/sdp";
const PEER = "scripts/capture-wrtc-peer.mjs";

function ip(...args) {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
}

/**
 * Runs the peer script in a fresh namespace. With `cidr`, the namespace gets one veth interface with
 * that address (its host end up but unaddressed: libuv lists interfaces with carrier only, and there
 * is no route out); without, it has only loopback. IPv6 is off on the veth so that a link-local
 * address appearing halfway through gathering cannot make the capture vary.
 */
function inNamespace(name, cidr, mode, input) {
  const ns = `rtcd-wrtc-${process.pid}-${name}`;
  const hostEnd = `rw${process.pid}${name.slice(0, 3)}`.slice(0, 15);
  ip("netns", "add", ns);
  try {
    ip("-n", ns, "link", "set", "lo", "up");
    if (cidr) {
      ip("link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", ns);
      const off = spawnSync("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=1"], { encoding: "utf8" });
      if (off.status !== 0) throw new Error(`sysctl: ${off.stderr}`);
      ip("-n", ns, "addr", "add", cidr, "dev", "eth0");
      ip("link", "set", hostEnd, "up");
      ip("-n", ns, "link", "set", "eth0", "up");
    }
    const r = spawnSync("ip", ["netns", "exec", ns, process.execPath, PEER, mode], {
      input: input === undefined ? "" : JSON.stringify(input),
      encoding: "utf8",
      timeout: 30_000,
    });
    if (r.status !== 0) throw new Error(`${name}: the libwebrtc peer failed (${r.signal ?? r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout);
  } finally {
    if (cidr) spawnSync("ip", ["link", "del", hostEnd]);
    spawnSync("ip", ["netns", "del", ns]);
  }
}

function write(path, result) {
  writeFileSync(path, result.sdp);
  console.log(`wrote ${path}: ${result.notes}`);
}

// 1. The offer from createOffer(), taken before gathering started (a client that posts it at once).
const offer = inNamespace("offer", "10.20.30.41/24", "offer");
write(`${SDP}/wrtc-offer-before-gathering.sdp`, offer);

// 2. The answer of a server with no ICE servers whose only interface has a private address.
write(`${SDP}/wrtc-answer-private-host-only.sdp`, inNamespace("private", "10.20.30.40/24", "answer", { type: "offer", sdp: offer.sdp }));

// 3. The same answerer on a machine with nothing but loopback: what libwebrtc falls back to.
write(`${SDP}/wrtc-answer-loopback-only.sdp`, inNamespace("loopback", undefined, "answer", { type: "offer", sdp: offer.sdp }));
