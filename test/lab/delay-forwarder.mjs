// A path with added latency, for a kernel without netem: forwards UDP and TCP from
// LISTEN_HOST:LISTEN_PORT to TARGET_HOST:TARGET_PORT, holding every datagram and every chunk of a
// stream for DELAY_MS in each direction. Run inside a lab namespace; prints "ready PORT" once both
// listen (LISTEN_PORT 0: any free port). Ends when its stdin closes (the test is gone) or after 180 s, whichever comes first.
import { createSocket } from "node:dgram";
import { connect, createServer } from "node:net";

const [listenHost, listenPort, targetHost, targetPort, delay] = process.argv.slice(2);
const delayMs = Number(delay);
const later = (fn) => setTimeout(fn, delayMs);

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
  client.on("data", (d) => later(() => up.writable && up.write(d)));
  up.on("data", (d) => later(() => client.writable && client.write(d)));
  const end = () => later(() => (client.destroy(), up.destroy()));
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
setTimeout(stop, 180_000).unref();
