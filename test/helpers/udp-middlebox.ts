import { createSocket, type RemoteInfo, type Socket } from "node:dgram";

/**
 * A UDP box between two peers on loopback, as a firewall on the path would sit: the client is told
 * (in the answer) that the far end is at `clientSide`, the far end is told (in the offer) that the
 * client is at `farSide`, and the box forwards between them. `drop` decides per datagram what the
 * path loses: e.g. everything but STUN, as a firewall that inspects UDP and passes only STUN would.
 */
export interface UdpMiddlebox {
  clientSide: { address: string; port: number };
  farSide: { address: string; port: number };
  /** Datagrams dropped, by the first bytes' class (RFC 7983, RFC 5761): stun, dtls, rtp, rtcp, other. */
  dropped: Record<string, number>;
  forwarded: Record<string, number>;
  /** Where the far end really is: known once its answer passes. */
  setFar(far: { address: string; port: number }): void;
  close(): Promise<void>;
}

export function classify(data: Buffer): "stun" | "dtls" | "rtp" | "rtcp" | "other" {
  const b = data[0] ?? 255;
  if (b <= 3) return "stun";
  if (b >= 20 && b <= 63) return "dtls";
  // RFC 5761 4: RTCP packet types 192-223 sit where an RTP header has marker and payload type.
  if (b >= 128 && b <= 191) return (data[1] ?? 0) >= 192 && (data[1] ?? 0) <= 223 ? "rtcp" : "rtp";
  return "other";
}

export type Direction = "to-far" | "to-client";

async function bound(): Promise<Socket> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return socket;
}

/** The box learns the client's actual source from the datagrams it sends, the far end's from its answer. */
export async function startUdpMiddlebox(drop: (data: Buffer, direction: Direction) => boolean): Promise<UdpMiddlebox> {
  let far: { address: string; port: number } | undefined;
  const clientSide = await bound();
  const farSide = await bound();
  const dropped: Record<string, number> = {};
  const forwarded: Record<string, number> = {};
  let client: RemoteInfo | undefined;
  const pass = (data: Buffer, out: Socket, to: { address: string; port: number }, direction: Direction) => {
    const kind = classify(data);
    if (drop(data, direction)) {
      dropped[kind] = (dropped[kind] ?? 0) + 1;
      return;
    }
    forwarded[kind] = (forwarded[kind] ?? 0) + 1;
    out.send(data, to.port, to.address);
  };
  clientSide.on("message", (data, from) => {
    client = from;
    if (far) pass(data, farSide, far, "to-far");
  });
  farSide.on("message", (data) => {
    if (client) pass(data, clientSide, client, "to-client");
  });
  const address = (s: Socket) => ({ address: "127.0.0.1", port: s.address().port });
  return {
    clientSide: address(clientSide),
    farSide: address(farSide),
    dropped,
    forwarded,
    setFar(to) {
      far = to;
    },
    async close() {
      await Promise.all([clientSide, farSide].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

/** The SDP with every candidate line replaced by one host candidate at `at` (UDP, IPv4). */
export function onlyCandidate(sdp: string, at: { address: string; port: number }): string {
  const placed = new Set<string>();
  const lines = sdp.split(/\r\n/);
  const out: string[] = [];
  let section = "";
  for (const line of lines) {
    if (line.startsWith("m=")) section = line;
    if (line.startsWith("a=candidate:")) {
      if (!placed.has(section)) {
        placed.add(section);
        out.push(`a=candidate:1 1 udp 2130706431 ${at.address} ${at.port} typ host`);
      }
      continue;
    }
    out.push(line);
  }
  return out.join("\r\n");
}

/** The first IPv4 UDP host candidate of an SDP. */
export function firstUdp4Candidate(sdp: string): { address: string; port: number } | undefined {
  const m = /^a=candidate:\S+ 1 udp \d+ (\d+\.\d+\.\d+\.\d+) (\d+) typ host/im.exec(sdp);
  return m ? { address: m[1] as string, port: Number(m[2]) } : undefined;
}
