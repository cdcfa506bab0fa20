import { createSocket, type Socket } from "node:dgram";
import type { NatBehaviour } from "../../../src/facts/nat.js";
import { classes, decode, Message, methods } from "../../../src/stun/message.js";

/**
 * An RFC 5780 STUN server on loopback (127.0.0.1 and 127.0.0.2, two ports each) that also plays
 * the NAT in front of the client: it sees every packet the client sends to any of its four
 * addresses, so it can apply a mapping and a filtering behaviour exactly as RFC 4787 defines them.
 * Fast, needs no root, and catches ordering mistakes (a mapping test that opens a filter).
 */
export interface FakeNatOptions {
  mapping: NatBehaviour;
  filtering: NatBehaviour;
  /** Report the client's real address: no NAT. */
  noNat?: boolean;
  /** Answer without OTHER-ADDRESS and refuse CHANGE-REQUEST, like a single-address coturn. */
  noRfc5780?: boolean;
}

export interface FakeNatServer {
  primary: { address: string; port: number; family: 4 };
  close(): Promise<void>;
}

const IPS = ["127.0.0.1", "127.0.0.2"] as const;
/** The emulated NAT's public address: on loopback too, as the hairpin probe really sends to it (nothing listens there). */
const NAT_PUBLIC_IP = "127.0.0.3";

async function bind(address: string, port: number): Promise<Socket> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, address, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  return socket;
}

export async function startFakeNatServer(options: FakeNatOptions): Promise<FakeNatServer> {
  const first = await bind(IPS[0], 0);
  const p1 = first.address().port;
  const second = await bind(IPS[0], 0);
  const p2 = second.address().port;
  const sockets = new Map<string, Socket>([
    [`${IPS[0]}:${p1}`, first],
    [`${IPS[0]}:${p2}`, second],
    [`${IPS[1]}:${p1}`, await bind(IPS[1], p1)],
    [`${IPS[1]}:${p2}`, await bind(IPS[1], p2)],
  ]);
  // Per client port: the server addresses it has sent to (the NAT's filter state).
  const sentTo = new Map<number, Set<string>>();
  const mappedPorts = new Map<string, number>();
  let nextPort = 40000;

  const mappedPort = (clientPort: number, ip: string, port: number): number => {
    const key =
      options.mapping === "endpoint-independent" ? `${clientPort}` : options.mapping === "address-dependent" ? `${clientPort}/${ip}` : `${clientPort}/${ip}:${port}`;
    if (!mappedPorts.has(key)) mappedPorts.set(key, nextPort++);
    return mappedPorts.get(key)!;
  };

  const admits = (clientPort: number, fromIp: string, fromPort: number): boolean => {
    const seen = sentTo.get(clientPort) ?? new Set();
    if (options.filtering === "endpoint-independent") return true;
    if (options.filtering === "address-dependent") return [...seen].some((a) => a.startsWith(`${fromIp}:`));
    return seen.has(`${fromIp}:${fromPort}`);
  };

  for (const [key, socket] of sockets) {
    const [ip, portText] = key.split(":") as [string, string];
    const port = Number(portText);
    socket.on("message", (data, rinfo) => {
      const request = decode(data);
      if (!request || request.messageMethod !== methods.BINDING || request.messageClass !== classes.REQUEST) return;
      if (!sentTo.has(rinfo.port)) sentTo.set(rinfo.port, new Set());
      sentTo.get(rinfo.port)!.add(key);

      const change = (request.getAttributeValue("CHANGE-REQUEST") as number | undefined) ?? 0;
      if (change && options.noRfc5780) {
        const error = new Message(methods.BINDING, classes.ERROR, request.transactionId);
        error.setAttribute("ERROR-CODE", [420, "Unknown Attribute"]);
        socket.send(error.bytes, rinfo.port, rinfo.address);
        return;
      }
      const fromIp = change & 0x04 ? (ip === IPS[0] ? IPS[1] : IPS[0]) : ip;
      const fromPort = change & 0x02 ? (port === p1 ? p2 : p1) : port;
      const response = new Message(methods.BINDING, classes.RESPONSE, request.transactionId);
      const mapped: [string, number] = options.noNat ? [rinfo.address, rinfo.port] : [NAT_PUBLIC_IP, mappedPort(rinfo.port, ip, port)];
      response.setAttribute("XOR-MAPPED-ADDRESS", mapped);
      if (!options.noRfc5780) {
        response.setAttribute("OTHER-ADDRESS", [ip === IPS[0] ? IPS[1] : IPS[0], port === p1 ? p2 : p1]);
        response.setAttribute("RESPONSE-ORIGIN", [fromIp, fromPort]);
      }
      // The emulated NAT drops what its filter does not admit (it always admits the address asked).
      if (!options.noNat && !admits(rinfo.port, fromIp, fromPort)) return;
      sockets.get(`${fromIp}:${fromPort}`)!.send(response.bytes, rinfo.port, rinfo.address);
    });
  }

  return {
    primary: { address: IPS[0], port: p1, family: 4 },
    close: async () => {
      await Promise.all([...sockets.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
