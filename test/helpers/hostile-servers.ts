import { spawn, type ChildProcess } from "node:child_process";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { createInterface } from "node:readline";
import { classes, decode, Message, methods } from "../../src/stun/message.js";

/**
 * Servers that misbehave on purpose, on loopback, for the hostile-server suite and its bench: each
 * does one thing wrong (or nothing at all) and is stopped by the test that started it.
 */
export interface Hostile {
  port: number;
  stop(): Promise<void>;
}

export type UdpMisbehaviour = "silent" | "garbage" | "truncated" | "wrong-transaction" | "flood";

/** How often the flooding server sends each answer. */
export const FLOOD_COPIES = 50;

/**
 * A UDP STUN/TURN server that answers wrongly as `how` says. `flood` answers correctly, but sends
 * each answer FLOOD_COPIES times; it speaks just enough TURN for an Allocate probe (401 challenge,
 * then success for any signed request; it checks no MESSAGE-INTEGRITY).
 */
export async function startHostileUdp(how: UdpMisbehaviour): Promise<Hostile> {
  const socket: UdpSocket = createSocket("udp4");
  socket.on("message", (data, rinfo) => {
    const send = (bytes: Uint8Array, copies = 1) => {
      for (let i = 0; i < copies; i += 1) socket.send(bytes, rinfo.port, rinfo.address);
    };
    if (how === "silent") return;
    if (how === "garbage") return send(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n"));
    const request = decode(data);
    if (!request) return;
    if (how === "flood") return send(turnAnswer(request, rinfo.address, rinfo.port).bytes, FLOOD_COPIES);
    const response = new Message(methods.BINDING, classes.RESPONSE, how === "wrong-transaction" ? Buffer.alloc(12, 7) : request.transactionId).setAttribute(
      "XOR-MAPPED-ADDRESS",
      [rinfo.address, rinfo.port],
    );
    // truncated: the header promises attributes that are cut off
    send(how === "truncated" ? Buffer.from(response.bytes).subarray(0, 26) : response.bytes);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { port: socket.address().port, stop: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

function turnAnswer(request: Message, address: string, port: number): Message {
  const { messageMethod: method, transactionId: id } = request;
  const signed = request.attributesKeys.includes("USERNAME");
  if (method === methods.ALLOCATE && !signed) {
    return new Message(method, classes.ERROR, id)
      .setAttribute("ERROR-CODE", [401, "Unauthorized"])
      .setAttribute("REALM", "hostile.test")
      .setAttribute("NONCE", Buffer.from("0123456789abcdef"));
  }
  const response = new Message(method, classes.RESPONSE, id).setAttribute("XOR-MAPPED-ADDRESS", [address, port]);
  if (method === methods.ALLOCATE) response.setAttribute("XOR-RELAYED-ADDRESS", ["127.0.0.1", 49_999]).setAttribute("LIFETIME", 600);
  return response;
}

export type TcpMisbehaviour = "silent" | "http" | "banner" | "binary" | "closes" | "drip";

/**
 * A TCP port that accepts and then: never speaks (`silent`), answers whatever it is sent with an
 * HTTP 400 (`http`, a web server), greets with an SSH banner (`banner`), sends binary noise
 * (`binary`), closes at once (`closes`), or sends a STUN-looking header one byte per second (`drip`).
 */
export async function startHostileTcp(how: TcpMisbehaviour): Promise<Hostile> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    if (how === "closes") socket.destroy();
    if (how === "banner") socket.write("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
    if (how === "binary") socket.write(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03, 0xff, 0xfe]));
    if (how === "http") socket.once("data", () => socket.end("HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 11\r\n\r\nBad Request"));
    if (how === "drip") {
      // A Binding success header, promising a body that never completes in time.
      const bytes = Buffer.from([0x01, 0x01, 0x00, 0x0c, 0x21, 0x12, 0xa4, 0x42, ...Array(12).fill(0)]);
      let sent = 0;
      const timer = setInterval(() => {
        if (sent < bytes.length) socket.write(bytes.subarray(sent, ++sent));
      }, 1000);
      timers.add(timer);
      socket.on("close", () => clearInterval(timer));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TLS server that completes the handshake with the given certificate, then never speaks. */
export async function startSilentTls(cert: { cert: string; key: string }): Promise<Hostile> {
  const sockets = new Set<Socket>();
  const server = createTlsServer({ cert: cert.cert, key: cert.key }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A TCP port that never completes a connection: a listening socket whose accept queue is full and
 * that never accepts, so Linux drops every further SYN (no SYN-ACK), as a firewall that drops
 * packets does. Node accepts connections by itself, so a small Python process holds the socket.
 */
export async function startFilteredTcp(): Promise<Hostile> {
  const script = [
    "import socket, sys, time",
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)",
    "port = s.getsockname()[1]",
    // One connection that completes and is never accepted fills the queue of a backlog of 0.
    "fill = socket.create_connection(('127.0.0.1', port), timeout=5)",
    "print(port, flush=True)",
    "sys.stdin.read()",
  ].join("\n");
  const child: ChildProcess = spawn("/usr/bin/python3", ["-c", script], { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolve(Number(line)));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the filtered-port helper exited (${code})`)));
  });
  return {
    port,
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.stdin?.end();
      await exited;
    },
  };
}

/** What a hostile signalling path does with the request. */
export type SignallingMisbehaviour = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/**
 * One HTTP server whose paths each misbehave in their own way (`routes`); unknown paths get 404.
 * Open connections are cut when it stops, so a stalled response cannot keep a test alive.
 */
export async function startHostileHttp(routes: Record<string, SignallingMisbehaviour>): Promise<Hostile & { url: string }> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const route = routes[new URL(req.url ?? "/", "http://x").pathname];
      if (route) route(req, res, Buffer.concat(chunks).toString("utf8"));
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes `body` one byte per second after the headers; stops when the client goes. */
export function drip(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, headers);
  res.flushHeaders();
  let sent = 0;
  const timer = setInterval(() => {
    if (sent >= body.length) return void res.end();
    res.write(body[sent]);
    sent += 1;
  }, 1000);
  res.on("close", () => clearInterval(timer));
}

/** Streams `bytes` of filler as fast as the client reads, announced with Content-Length or chunked. */
export function flood(res: ServerResponse, status: number, headers: Record<string, string>, bytes: number, announce: boolean): void {
  res.writeHead(status, { ...headers, ...(announce ? { "content-length": String(bytes) } : {}) });
  const chunk = Buffer.alloc(64 * 1024, "a");
  let sent = 0;
  const pump = () => {
    while (sent < bytes) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once("drain", pump);
    }
    res.end();
  };
  res.on("error", () => {});
  pump();
}
