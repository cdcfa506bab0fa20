import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";

/** What the front answers itself; `undefined` passes the request on to the backend unchanged. */
export type FrontReply = { status: number; headers?: Record<string, string>; body?: string } | undefined;

export interface FrontRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface Front {
  url: string;
  /** Every request that reached the front, in order. */
  seen: FrontRequest[];
  close(): Promise<void>;
}

/**
 * A small HTTP(S) server in front of a signalling server: it answers what `decide` says (redirects,
 * 503s, ...) and proxies the rest, so the client's side of those answers runs against a real far end.
 */
export async function startFront(options: {
  backend?: string;
  decide?(req: FrontRequest, count: number): FrontReply;
  /** Rewrites a proxied response's body (e.g. a real answer made hostile). */
  transform?(req: FrontRequest, body: string): string;
  /** Rewrites a proxied request's body before it goes to the backend (e.g. the offer's candidates). */
  transformRequest?(req: FrontRequest): string;
  tls?: { cert: string; key: string };
}): Promise<Front> {
  const seen: FrontRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request: FrontRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      seen.push(request);
      const reply = options.decide?.(request, seen.length);
      if (reply || !options.backend) {
        res.writeHead(reply?.status ?? 404, reply?.headers ?? {}).end(reply?.body ?? "");
        return;
      }
      const target = new URL(request.path, options.backend);
      const upstreamBody = options.transformRequest ? options.transformRequest(request) : request.body;
      const headers = { ...req.headers, host: target.host, ...(options.transformRequest ? { "content-length": String(Buffer.byteLength(upstreamBody)) } : {}) };
      const upstream = httpRequest(target, { method: request.method, headers }, (back) => {
        const transform = options.transform;
        if (!transform) {
          res.writeHead(back.statusCode ?? 502, back.headers);
          back.pipe(res);
          return;
        }
        const parts: Buffer[] = [];
        back.on("data", (c: Buffer) => parts.push(c));
        back.on("end", () => {
          const body = transform(request, Buffer.concat(parts).toString("utf8"));
          const { "content-length": _length, "transfer-encoding": _chunked, ...rest } = back.headers;
          res.writeHead(back.statusCode ?? 502, { ...rest, "content-length": String(Buffer.byteLength(body)) }).end(body);
        });
      });
      upstream.on("error", () => res.writeHead(502).end("backend unreachable"));
      upstream.end(upstreamBody);
    });
  };
  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
