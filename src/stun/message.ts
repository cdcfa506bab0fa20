import { createHash, randomBytes } from "node:crypto";
// werift-ice carries the same STUN code as werift at a fifth of the import cost: the server probes
// and the STUN responder need only the codec, not the peer-connection stack.
import { Message, classes, methods, parseMessage } from "werift-ice";
import type { TransportAddress } from "../facts/common.js";
import { isIPv6 } from "node:net";

// werift's STUN codec is reused (the brief asks for its primitives); what it lacks for diagnosis,
// reading errors without demanding integrity and naming the parts of a response, lives here.
export { Message, classes, methods };

/** RFC 5766 REQUESTED-TRANSPORT value: protocol number in the first byte (17 = UDP). */
export const REQUESTED_TRANSPORT_UDP = 17 << 24;

export const HEADER = 20;

export const CHANGE_IP = 0x04;
export const CHANGE_PORT = 0x02;

export function newRequest(method: methods): Message {
  return new Message(method, classes.REQUEST, randomBytes(12));
}

/** RFC 5389 long-term credential key: MD5(username ":" realm ":" password). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash("md5").update(`${username}:${realm}:${password}`).digest();
}

/**
 * Parses without checking MESSAGE-INTEGRITY. werift drops unsigned errors once it holds a key,
 * which turns coturn's unsigned 401/438 into timeouts; we read them as the server sent them.
 */
export function decode(data: Buffer): Message | undefined {
  try {
    return parseMessage(data);
  } catch {
    return undefined;
  }
}

export function isError(message: Message): boolean {
  return message.messageClass === classes.ERROR;
}

export function isSuccess(message: Message): boolean {
  return message.messageClass === classes.RESPONSE;
}

export function errorCodeOf(message: Message): { code: number; reason: string } | undefined {
  const value = message.getAttributeValue("ERROR-CODE") as [number, string] | undefined;
  if (!value) return undefined;
  // coturn counts the padding into some reason phrases' length (440 "Unsupported address family\0\0").
  return { code: value[0], reason: value[1].replace(/\0+$/, "") };
}

function toTransportAddress(value: unknown): TransportAddress | undefined {
  if (!Array.isArray(value) || typeof value[0] !== "string" || typeof value[1] !== "number") return undefined;
  const address = value[0];
  return { address, port: value[1], family: isIPv6(address) ? 6 : 4 };
}

export function addressAttribute(
  message: Message,
  key: "XOR-MAPPED-ADDRESS" | "MAPPED-ADDRESS" | "XOR-RELAYED-ADDRESS" | "OTHER-ADDRESS" | "RESPONSE-ORIGIN" | "CHANGED-ADDRESS",
): TransportAddress | undefined {
  return toTransportAddress(message.getAttributeValue(key));
}

/** Prefers XOR-MAPPED-ADDRESS; RFC 3489 servers send only MAPPED-ADDRESS. */
export function mappedAddressOf(message: Message): TransportAddress | undefined {
  return addressAttribute(message, "XOR-MAPPED-ADDRESS") ?? addressAttribute(message, "MAPPED-ADDRESS");
}

export function stringAttribute(message: Message, key: "REALM" | "SOFTWARE"): string | undefined {
  const value = message.getAttributeValue(key) as unknown;
  return typeof value === "string" ? value : undefined;
}

export function methodName(method: methods): string {
  switch (method) {
    case methods.BINDING:
      return "Binding";
    case methods.ALLOCATE:
      return "Allocate";
    case methods.REFRESH:
      return "Refresh";
    case methods.CREATE_PERMISSION:
      return "CreatePermission";
    case methods.CHANNEL_BIND:
      return "ChannelBind";
    default:
      return `method 0x${Number(method).toString(16)}`;
  }
}
