"""A far end built on aiortc (Debian python3-aiortc), the stack inside Pipecat's SmallWebRTC bots.

It answers as a Pipecat SmallWebRTC server does (POST /start, POST and PATCH /api/offer, also under
/sessions/{id}/api/offer) and as a WHIP endpoint (POST /whip -> 201 + Location, DELETE), and echoes
every data-channel message and, with --audio echo (the default), every audio track back on the same
connection (decoded and encoded again by aiortc, as a bot's pipeline would). An offer with a known
pc_id and restart_pc: true is answered as Pipecat's SmallWebRTCConnection.renegotiate does: the old
peer is closed and a new one answers under the same pc_id (aiortc itself cannot restart ICE on a
running peer). Like Pipecat, it gathers all its candidates inside setLocalDescription
before it answers, so a STUN/TURN server it cannot reach delays the answer.

Run with /usr/bin/python3 (Debian's, which has aiortc), not a pyenv python:
  /usr/bin/python3 test/helpers/aiortc-far-end.py --port 0 --ice-servers '[{"urls": "stun:198.51.100.3:3478"}]'
It prints one JSON line {"ready": PORT} on stdout once it listens; SIGTERM closes every peer and exits.
Only the standard library and aiortc: no aiohttp on the test machines.
"""

import argparse
import asyncio
import itertools
import json
import signal
import sys
import time

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.sdp import candidate_from_sdp

MAX_BODY = 1024 * 1024


def log(text):
    print(f"aiortc-far-end: {text}", file=sys.stderr, flush=True)


class FarEnd:
    def __init__(self, ice_servers, audio="echo"):
        self.ice_servers = ice_servers
        self.audio = audio
        self.peers = {}
        self.ids = itertools.count(1)

    async def answer(self, offer_sdp, restart_id=None):
        if restart_id is not None:
            await self.close(restart_id)
            log(f"{restart_id} restart_pc: closed the old peer, a new one answers")
        # An explicit list, even empty: with None aiortc would query stun.l.google.com on its own.
        pc = RTCPeerConnection(RTCConfiguration(iceServers=self.ice_servers))
        pc_id = restart_id or f"SmallWebRTCConnection#0-{next(self.ids):08x}"
        self.peers[pc_id] = pc

        @pc.on("datachannel")
        def on_datachannel(channel):
            @channel.on("message")
            def on_message(message):
                if channel.readyState == "open":
                    channel.send(message)

        @pc.on("track")
        def on_track(track):
            # Fired inside setRemoteDescription: added now, the track makes the answer sendrecv.
            if track.kind == "audio" and self.audio == "echo":
                pc.addTrack(track)

        @pc.on("iceconnectionstatechange")
        def on_state():
            log(f"{pc_id} ice {pc.iceConnectionState}")

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        started = time.monotonic()
        # aiortc gathers every candidate here: the answer leaves only once gathering is over.
        await pc.setLocalDescription(await pc.createAnswer())
        log(f"{pc_id} answered after gathering for {time.monotonic() - started:.1f} s")
        return pc_id, pc.localDescription.sdp

    async def trickle(self, pc_id, candidates):
        pc = self.peers.get(pc_id)
        if pc is None:
            return False
        for item in candidates:
            line = item.get("candidate") or ""
            if not line:
                continue
            candidate = candidate_from_sdp(line.split(":", 1)[1] if line.startswith("candidate:") else line)
            candidate.sdpMid = item.get("sdp_mid") or item.get("sdpMid")
            candidate.sdpMLineIndex = item.get("sdp_mline_index", item.get("sdpMLineIndex", 0))
            await pc.addIceCandidate(candidate)
        return True

    async def close(self, pc_id=None):
        ids = [pc_id] if pc_id else list(self.peers)
        for key in ids:
            pc = self.peers.pop(key, None)
            if pc is not None:
                await pc.close()


async def read_request(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    if length > MAX_BODY:
        raise ValueError("body too large")
    body = await reader.readexactly(length) if length else b""
    return method, path.split("?", 1)[0], headers, body.decode("utf-8")


def response(status, body="", content_type="application/json", extra=None):
    reasons = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error"}
    data = body.encode("utf-8")
    head = [f"HTTP/1.1 {status} {reasons.get(status, 'Status')}", f"Content-Length: {len(data)}", "Connection: close"]
    if data:
        head.append(f"Content-Type: {content_type}")
    for name, value in (extra or {}).items():
        head.append(f"{name}: {value}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data


async def route(far, method, path, body):
    is_offer = path == "/api/offer" or (path.startswith("/sessions/") and path.endswith("/api/offer"))
    if method == "POST" and path == "/start":
        return response(200, json.dumps({"sessionId": f"s{next(far.ids)}", "iceConfig": {"iceServers": []}}))
    if method == "POST" and is_offer:
        offer = json.loads(body)
        restart_id = offer.get("pc_id") if offer.get("restart_pc") and offer.get("pc_id") in far.peers else None
        pc_id, sdp = await far.answer(offer["sdp"], restart_id)
        return response(200, json.dumps({"sdp": sdp, "type": "answer", "pc_id": pc_id}))
    if method == "PATCH" and is_offer:
        request = json.loads(body)
        ok = await far.trickle(request.get("pc_id"), request.get("candidates") or [])
        return response(200, json.dumps({"status": "success"})) if ok else response(404, json.dumps({"error": "unknown pc_id"}))
    if method == "POST" and path == "/whip":
        pc_id, sdp = await far.answer(body)
        return response(201, sdp, "application/sdp", {"Location": f"/whip/{pc_id}"})
    if method == "DELETE" and path.startswith("/whip/"):
        await far.close(path[len("/whip/"):])
        return response(200)
    return response(404, json.dumps({"error": "not found"}))


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ice-servers", default="[]", help="RTCIceServer list as JSON")
    parser.add_argument("--audio", choices=["echo", "receive-only"], default="echo")
    args = parser.parse_args()
    servers = [
        RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
        for s in json.loads(args.ice_servers)
    ]
    far = FarEnd(servers, args.audio)

    async def handle(reader, writer):
        try:
            method, path, _, body = await read_request(reader)
            try:
                reply = await route(far, method, path, body)
            except Exception as error:  # the client sees why, as from a real server's 500
                log(f"{method} {path} failed: {error!r}")
                reply = response(500, json.dumps({"error": repr(error)}))
            writer.write(reply)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, args.host, args.port)
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"ready": port}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await far.close()


if __name__ == "__main__":
    asyncio.run(main())
