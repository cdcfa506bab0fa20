// A path with added latency, for a kernel without netem: forwards UDP and TCP from
// LISTEN_HOST:LISTEN_PORT to TARGET_HOST:TARGET_PORT, holding every datagram and every chunk of a
// stream for DELAY_MS in each direction. Run inside a lab namespace; prints "ready PORT" once both
// listen (LISTEN_PORT 0: any free port). Ends when its stdin closes (the test is gone) or after 180 s
// (LIFETIME_S, when given), whichever comes first.
//
//   node delay-forwarder.mjs LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MS [JITTER_MS [LIFETIME_S]]
//
// JITTER_MS > 0 holds each datagram for DELAY_MS plus a uniform random -JITTER..+JITTER ms, drawn
// per datagram, so datagrams sent closer together than the spread overtake each other (reordering),
// as on a real path with jitter. A TCP stream keeps its order: a chunk never leaves before the one
// in front of it, as TCP's own retransmission and reassembly would make it look.
import { createSocket } from "node:dgram";
import { connect, createServer } from "node:net";

const [listenHost, listenPort, targetHost, targetPort, delay, jitter = "0", lifetime = "180"] = process.argv.slice(2);
const delayMs = Number(delay);
const jitterMs = Number(jitter);
const holdMs = () => Math.max(0, delayMs + (jitterMs > 0 ? (Math.random() * 2 - 1) * jitterMs : 0));
const later = (fn) => setTimeout(fn, holdMs());

/** One direction of a stream: each chunk leaves after its hold, but never before the chunk in front of it. */
function inOrder() {
  let last = 0;
  return (fn) => {
    const at = Math.max(Date.now() + holdMs(), last);
    last = at;
    setTimeout(fn, at - Date.now());
  };
}

const front = createSocket("udp4");
const upstreams = new Map();
front.on("message", (data, rinfo) => {
  const key = `${rinfo.address}:${rinfo.port}`;
  let up = upstreams.get(key);
  if (!up) {
    up = createSocket("udp4");
    up.on("message", (reply) => later(() => front.send(reply, rinfo.port, rinfo.address)));
    up.bind(0, listenHost);
    upstreams.set(key, up);
  }
  later(() => up.send(data, Number(targetPort), targetHost));
});

const server = createServer((client) => {
  const up = connect(Number(targetPort), targetHost);
  const toUp = inOrder();
  const toClient = inOrder();
  client.on("data", (d) => toUp(() => up.writable && up.write(d)));
  up.on("data", (d) => toClient(() => client.writable && client.write(d)));
  const end = () => setTimeout(() => (client.destroy(), up.destroy()), delayMs + jitterMs);
  client.on("close", end).on("error", end);
  up.on("close", end).on("error", end);
});

// UDP first: with port 0 it picks a free port, and TCP takes the same one.
front.bind(Number(listenPort), listenHost, () => {
  const port = front.address().port;
  server.listen(port, listenHost, () => process.stdout.write(`ready ${port}\n`));
});

const stop = () => process.exit(0);
process.stdin.on("end", stop).on("close", stop).resume();
setTimeout(stop, Number(lifetime) * 1000).unref();
