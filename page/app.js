// rtc-doctor serve's test page: measures in the visitor's own browser, then (when the visitor
// agrees) posts the measurements to serve, which diagnoses them with the same rules as the CLI.
// Plain JavaScript for any current browser; no build step, no dependencies.

const params = new URLSearchParams(location.search);
// ?server= lets a page on another origin (an app's own page) test a serve elsewhere, through CORS.
const base = (params.get("server") || location.origin).replace(/\/+$/, "");
// The token travels in the fragment, which browsers never send to a server or put in its logs.
const token = new URLSearchParams(location.hash.slice(1)).get("token");
const auth = token ? { Authorization: `Bearer ${token}` } : {};
const TIMEOUT_MS = Number(params.get("timeout")) > 0 ? Number(params.get("timeout")) : 10000;
const ECHOES = 5;

const $ = (id) => document.getElementById(id);
const now = () => performance.now();

function show(id, on = true) {
  $(id).hidden = !on;
}

let stepsDone = 0;
let stepsTotal = 1;
function step(text) {
  $("step").textContent = text;
  $("progress").max = stepsTotal;
  $("progress").value = stepsDone;
}
function stepDone() {
  stepsDone += 1;
  $("progress").value = stepsDone;
}

/** fetch, with the one thing a page can say when the browser hides why a request failed (CORS, network). */
async function call(path, init = {}) {
  try {
    return await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new Error(`could not reach ${base} (${error.message}): the server is down or blocked from this network, or it does not allow pages from ${location.origin}`);
  }
}

/** Resolves true when `promise` settles in time, false when the bound passes first. */
function within(promise, ms) {
  let timer;
  return Promise.race([promise.then(() => true), new Promise((resolve) => (timer = setTimeout(() => resolve(false), ms)))]).finally(() => clearTimeout(timer));
}

function gatheringComplete(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && resolve()));
}

const isTurn = (url) => /^turns?:/i.test(url);

/**
 * Gathers on a fresh RTCPeerConnection, bounded, handing each candidate event (and error event) to
 * `on`; the connection is closed again whatever happens.
 */
async function gather(configuration, on) {
  const started = now();
  const pc = new RTCPeerConnection(configuration);
  pc.onicecandidate = (e) => e.candidate && e.candidate.candidate && on.candidate(e);
  if (on.error) pc.onicecandidateerror = on.error;
  try {
    pc.createDataChannel("gather");
    await pc.setLocalDescription(await pc.createOffer());
    const finished = await within(gatheringComplete(pc), TIMEOUT_MS);
    return { durationMs: now() - started, timedOut: !finished };
  } finally {
    pc.close();
  }
}

/** One RTCPeerConnection per ICE server URL, so each server's candidates and errors are its own. */
async function gatherOne(server, url) {
  const candidates = [];
  const errors = [];
  const result = await gather(
    { iceServers: [{ ...server, urls: [url] }], iceTransportPolicy: isTurn(url) ? "relay" : "all" },
    {
      candidate: (e) => candidates.length < 64 && candidates.push(e.candidate.candidate),
      error: (e) => errors.length < 16 && errors.push({ errorCode: e.errorCode, errorText: String(e.errorText || "").slice(0, 256), url: String(e.url || "").slice(0, 512) }),
    },
  );
  return { url, ...result, candidates, errors };
}

/**
 * All STUN servers on one RTCPeerConnection: its one socket asks each of them, so the server-reflexive
 * candidates say whether the NAT keeps one public port for every destination (endpoint-independent
 * mapping) or gives each destination its own (symmetric). The event's url names the server, where the
 * browser fills it in.
 */
async function gatherMapping(urls) {
  const candidates = [];
  const result = await gather({ iceServers: [{ urls }] }, { candidate: (e) => candidates.length < 64 && candidates.push({ url: String(e.url || "").slice(0, 512), candidate: e.candidate.candidate }) });
  return { ...result, candidates };
}

function statsCandidate(c) {
  if (!c) return undefined;
  const out = { candidateType: c.candidateType, protocol: c.protocol === "tcp" ? "tcp" : "udp", address: String(c.address ?? c.ip ?? ""), port: Number(c.port) || 0 };
  if (c.relayProtocol === "udp" || c.relayProtocol === "tcp" || c.relayProtocol === "tls") out.relayProtocol = c.relayProtocol;
  return out;
}

async function selectedPair(pc) {
  const stats = await pc.getStats();
  let transport;
  stats.forEach((s) => s.type === "transport" && (transport = s));
  const pair = transport && stats.get(transport.selectedCandidatePairId);
  if (!pair) return { dtlsState: transport && transport.dtlsState };
  const local = statsCandidate(stats.get(pair.localCandidateId));
  const remote = statsCandidate(stats.get(pair.remoteCandidateId));
  return { dtlsState: transport.dtlsState, ...(local && remote ? { selectedPair: { local, remote } } : {}) };
}

/** A real connection to serve's echo peer: offer, answer, ICE, DTLS, data channel, echoes. */
async function connect(policy, iceServers, config) {
  const started = now();
  const at = () => Math.round(now() - started);
  const result = { policy, ok: false, durationMs: 0, iceStates: [] };
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: policy });
  pc.oniceconnectionstatechange = () => {
    result.iceStates.push({ state: pc.iceConnectionState, atMs: at() });
    if ((pc.iceConnectionState === "connected" || pc.iceConnectionState === "completed") && result.timeToConnectedMs === undefined) result.timeToConnectedMs = at();
  };
  const channel = pc.createDataChannel("rtc-doctor");
  const opened = new Promise((resolve) => (channel.onopen = resolve));
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await within(gatheringComplete(pc), TIMEOUT_MS);
    result.offerSdp = pc.localDescription.sdp;
    let answer;
    try {
      const response = await call(config.offerPath, { method: "POST", headers: { "Content-Type": "application/json", ...auth }, body: JSON.stringify({ type: "offer", sdp: pc.localDescription.sdp }) });
      if (!response.ok) throw new Error(`the server answered HTTP ${response.status}`);
      answer = await response.json();
    } catch (error) {
      result.stalledIn = "signalling";
      result.error = `the offer could not be delivered: ${error.message}`;
      return result;
    }
    result.answerSdp = answer.sdp;
    await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    if (!(await within(opened, TIMEOUT_MS))) {
      const connected = result.timeToConnectedMs !== undefined;
      result.stalledIn = connected ? "dtls" : "checking";
      result.error = connected ? "ICE connected but the data channel did not open" : `no candidate pair worked within ${TIMEOUT_MS} ms`;
      Object.assign(result, await selectedPair(pc));
      return result;
    }
    result.timeToDataChannelMs = at();
    const rtts = [];
    for (let i = 0; i < ECHOES; i += 1) {
      const text = `rtc-doctor-echo ${i}`;
      const sent = now();
      const back = new Promise((resolve) => {
        channel.onmessage = (e) => e.data === text && resolve();
      });
      channel.send(text);
      if (await within(back, 2000)) rtts.push(now() - sent);
    }
    result.echo = { sent: ECHOES, received: rtts.length };
    if (rtts.length) result.rttMs = Math.round(rtts.sort((a, b) => a - b)[rtts.length >> 1] * 10) / 10;
    result.ok = rtts.length > 0;
    if (!result.ok) {
      result.stalledIn = "data-channel";
      result.error = "the data channel opened but no echo came back";
    }
    Object.assign(result, await selectedPair(pc));
    return result;
  } finally {
    result.durationMs = now() - started;
    pc.close();
  }
}

function verdictOf(connections) {
  const all = connections.find((c) => c.policy === "all");
  const relay = connections.find((c) => c.policy === "relay");
  const viaRelay = all && all.ok && all.selectedPair && (all.selectedPair.local.candidateType === "relay" || all.selectedPair.remote.candidateType === "relay");
  if (all && all.ok && !viaRelay) return { cls: "good", text: "Calls from this network connect directly to the server." };
  if (all && all.ok) return { cls: "warn", text: "Calls from this network connect, but only through the relay (TURN) server." };
  if (relay && relay.ok) return { cls: "warn", text: "Calls from this network connect only through the relay (TURN) server." };
  return { cls: "bad", text: "Calls from this network cannot reach the server: no connection could be made." };
}

function describeOutgoing(observation) {
  const list = document.createElement("ul");
  const item = (text) => {
    const li = document.createElement("li");
    li.textContent = text;
    list.append(li);
  };
  item(`Your browser: ${observation.userAgent}`);
  for (const s of observation.servers) item(`${s.url}: ${s.candidates.length} candidate(s) found${s.errors.length ? `, errors ${s.errors.map((e) => e.errorCode).join(", ")}` : ""}`);
  const addresses = new Set();
  for (const s of observation.servers) for (const line of s.candidates) addresses.add(line.split(" ")[4]);
  item(`Network addresses seen: ${[...addresses].join(", ") || "none"}`);
  for (const c of observation.connections) item(`Connection (${c.policy === "all" ? "any path" : "relay only"}): ${c.ok ? `worked, round trip ${c.rttMs} ms` : `failed (${c.error})`}`);
  item("The connection descriptions (SDP) of those attempts.");
  return list;
}

function showFindings(findings) {
  const box = $("findings");
  box.replaceChildren();
  for (const f of findings) {
    const div = document.createElement("div");
    div.className = `finding ${f.severity}`;
    const title = document.createElement("p");
    title.innerHTML = "<strong></strong>";
    title.firstChild.textContent = f.title;
    const explanation = document.createElement("p");
    explanation.textContent = f.explanation;
    const fix = document.createElement("p");
    fix.textContent = `What to do: ${f.fix}`;
    div.append(title, explanation, fix);
    box.append(div);
  }
  if (!findings.length) box.textContent = "Nothing wrong was found.";
}

async function run() {
  show("start", false);
  show("running");
  const started = now();
  const startedAt = new Date().toISOString();
  step("Reading the test configuration");
  const response = await call("/page/config", { headers: auth });
  if (!response.ok) throw new Error(`the server answered HTTP ${response.status} for its test configuration`);
  const config = await response.json();
  const host = new URL(base).hostname;
  const iceServers = [...(config.stunPort ? [{ urls: [`stun:${host.includes(":") ? `[${host}]` : host}:${config.stunPort}`] }] : []), ...config.iceServers];
  const urls = iceServers.flatMap((s) => s.urls.map((url) => [s, url]));
  const hasTurn = urls.some(([, url]) => isTurn(url));
  const stunUrls = urls.map(([, url]) => url).filter((url) => /^stun:/i.test(url));
  stepsTotal = urls.length + 1 + (hasTurn ? 1 : 0) + 1 + (stunUrls.length >= 2 ? 1 : 0);
  stepDone();

  const servers = [];
  for (const [server, url] of urls) {
    step(`Gathering through ${url}`);
    servers.push(await gatherOne(server, url));
    stepDone();
  }
  let mapping;
  if (stunUrls.length >= 2) {
    step("Testing how this network's NAT maps addresses");
    mapping = await gatherMapping(stunUrls);
    stepDone();
  }
  const connections = [];
  step("Connecting to the server over any path");
  connections.push(await connect("all", iceServers, config));
  stepDone();
  if (hasTurn) {
    step("Connecting to the server through the relay only");
    connections.push(await connect("relay", iceServers, config));
    stepDone();
  }
  step("Done");
  show("running", false);
  const verdict = verdictOf(connections);
  $("verdict").textContent = verdict.text;
  $("verdict").className = verdict.cls;

  const observation = { kind: "rtc-doctor-browser-observation", version: 1, userAgent: navigator.userAgent.slice(0, 512), startedAt, durationMs: now() - started, timeoutMs: TIMEOUT_MS, servers, ...(mapping ? { mapping } : {}), connections };
  $("destination").textContent = new URL(base).host;
  $("outgoing").replaceChildren(describeOutgoing(observation));
  show("consent");
  $("send").onclick = () => send(observation, config).catch(fail);
}

async function send(observation, config) {
  $("send").disabled = true;
  const response = await call(config.reportPath, { method: "POST", headers: { "Content-Type": "application/json", ...auth }, body: JSON.stringify(observation) });
  if (!response.ok) throw new Error(`the server did not take the report (HTTP ${response.status})`);
  const stored = await response.json();
  show("consent", false);
  $("report-id").textContent = stored.id;
  showFindings(stored.findings);
  show("sent");
  document.body.dataset.reportId = stored.id;
}

function fail(error) {
  show("running", false);
  $("failure").textContent = `The test could not finish: ${error.message}`;
  show("failure");
}

$("start").onclick = () => run().catch(fail);
if (params.has("autostart")) run().catch(fail);
