import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { TransportAddress } from "../facts/common.js";
import { CHANGE_IP, CHANGE_PORT, Message, classes, decode, methods } from "../stun/message.js";

export interface StunResponderOptions {
  /** Primary address to listen on. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** A second port on the same address(es): answers CHANGE-REQUEST "change port" (RFC 5780). */
  altPort?: number;
  /** A second address: answers CHANGE-REQUEST "change IP" (RFC 5780). */
  altHost?: string;
}

export interface StunResponder {
  /** Where clients send Binding requests. */
  address: TransportAddress;
  /** RFC 5780 OTHER-ADDRESS, when a second port or address is configured. */
  otherAddress?: TransportAddress;
  close(): Promise<void>;
}

const SOFTWARE = "rtc-doctor serve";
/** The attribute type of CHANGE-REQUEST (RFC 5780 section 7.2). */
const CHANGE_REQUEST_TYPE = 0x0003;

function bind(host: string, port: number): Promise<Socket> {
  const socket = createSocket({ type: isIPv6(host) ? "udp6" : "udp4" });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, host, () => {
      socket.off("error", reject);
      // ICMP errors for a client that went away surface here; the responder keeps serving.
      socket.on("error", () => {});
      resolve(socket);
    });
  });
}

function addressOf(socket: Socket): TransportAddress {
  const a = socket.address();
  return { address: a.address, port: a.port, family: isIPv6(a.address) ? 6 : 4 };
}

/**
 * A STUN server for the far end (RFC 5389 Binding: XOR-MAPPED-ADDRESS, MAPPED-ADDRESS,
 * RESPONSE-ORIGIN). With a second port and/or address it also answers RFC 5780 CHANGE-REQUEST from
 * the other socket and announces OTHER-ADDRESS, so a client can classify its NAT against this host.
 * A change it cannot make (no second address) is answered 420, as coturn does.
 */
export async function startStunResponder(options: StunResponderOptions): Promise<StunResponder> {
  // sockets[h][p]: address index h, port index p. The alternative port is the same number on both addresses.
  const sockets: Socket[][] = [];
  try {
    const first = await bind(options.host, options.port);
    const port = addressOf(first).port;
    sockets.push([first]);
    if (options.altPort !== undefined) sockets[0]?.push(await bind(options.host, options.altPort));
    const altPort = sockets[0]?.[1] ? addressOf(sockets[0][1]).port : undefined;
    if (options.altHost) {
      const row = [await bind(options.altHost, port)];
      if (altPort !== undefined) row.push(await bind(options.altHost, altPort));
      sockets.push(row);
    }
  } catch (error) {
    for (const s of sockets.flat()) s.close();
    throw error;
  }

  const all = sockets.flat();
  const hasAltHost = sockets.length > 1;
  const hasAltPort = (sockets[0]?.length ?? 0) > 1;
  // RFC 5780 section 7.4: OTHER-ADDRESS is where "change IP and port" would answer from, so it
  // depends on the socket the request came in on (a test sent to the other address names the primary).
  const otherOf = (h: number, p: number): Socket | undefined =>
    hasAltHost || hasAltPort ? sockets[hasAltHost ? 1 - h : h]?.[hasAltPort ? 1 - p : p] : undefined;

  sockets.forEach((row, h) =>
    row.forEach((socket, p) => {
      socket.on("message", (data, rinfo) => {
        const request = decode(data);
        if (!request || request.messageMethod !== methods.BINDING || request.messageClass !== classes.REQUEST) return;
        const flags = Number(request.getAttributeValue("CHANGE-REQUEST") ?? 0);
        const th = flags & CHANGE_IP ? 1 - h : h;
        const tp = flags & CHANGE_PORT ? 1 - p : p;
        const from = sockets[th]?.[tp];
        const client: [string, number] = [rinfo.address, rinfo.port];
        if (!from) {
          // RFC 5780 section 6.1 asks for 420 when the change cannot be made; RFC 5389 section 7.3.1
          // has a 420 name the attribute, so a client can tell which part was not understood.
          const error = new Message(methods.BINDING, classes.ERROR, request.transactionId)
            .setAttribute("ERROR-CODE", [420, "Unknown Attribute"])
            .setAttribute("UNKNOWN-ATTRIBUTES", [CHANGE_REQUEST_TYPE])
            .setAttribute("SOFTWARE", SOFTWARE)
            .addFingerprint();
          socket.send(error.bytes, rinfo.port, rinfo.address);
          return;
        }
        const origin = addressOf(from);
        const response = new Message(methods.BINDING, classes.RESPONSE, request.transactionId)
          .setAttribute("XOR-MAPPED-ADDRESS", client)
          .setAttribute("MAPPED-ADDRESS", client)
          .setAttribute("RESPONSE-ORIGIN", [origin.address, origin.port]);
        const other = otherOf(h, p);
        if (other) {
          const o = addressOf(other);
          response.setAttribute("OTHER-ADDRESS", [o.address, o.port]);
        }
        response.setAttribute("SOFTWARE", SOFTWARE).addFingerprint();
        from.send(response.bytes, rinfo.port, rinfo.address);
      });
    }),
  );

  const primaryOther = otherOf(0, 0);
  return {
    address: addressOf(all[0] as Socket),
    ...(primaryOther ? { otherAddress: addressOf(primaryOther) } : {}),
    close: () => Promise.all(all.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => undefined),
  };
}
