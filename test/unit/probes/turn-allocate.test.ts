import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { classes, methods, parseMessage, type Message } from "werift-ice";
import { allocateOn, turnErrorFor, type AllocateOptions } from "../../../src/probes/turn-allocate.js";
import { decode, longTermKey } from "../../../src/stun/message.js";
import { StunTimeoutError, type StunChannel, type TransactionResult } from "../../../src/stun/transaction.js";
import { Message as StunMessage } from "../../../src/stun/message.js";

const USER = "alice";
const PASSWORD = "s3cret-value";
const REALM = "example.org";

type Script = (request: Message, index: number) => Message | "timeout";

/** A server played from a script: every request goes through real encoding, as on the wire. */
function scriptedChannel(script: Script): { channel: StunChannel; sent: Message[] } {
  const sent: Message[] = [];
  const channel: StunChannel = {
    transport: "tcp",
    localAddress: undefined,
    async request(message): Promise<TransactionResult> {
      const request = decode(Buffer.from(message.bytes));
      if (!request) throw new Error("unparseable request");
      sent.push(request);
      const answer = script(request, sent.length - 1);
      if (answer === "timeout") throw new StunTimeoutError(1, 10);
      const response = decode(Buffer.from(answer.bytes));
      if (!response) throw new Error("unparseable response");
      return { response, from: { address: "192.0.2.1", port: 3478, family: 4 }, rttMs: 1, retransmissions: 0 };
    },
    close() {},
  };
  return { channel, sent };
}

function error(request: Message, code: number, reason: string, nonce?: string): Message {
  const m = new StunMessage(request.messageMethod, classes.ERROR, request.transactionId).setAttribute("ERROR-CODE", [code, reason]);
  if (nonce) m.setAttribute("REALM", REALM).setAttribute("NONCE", Buffer.from(nonce));
  return m;
}

function success(request: Message): Message {
  const m = new StunMessage(request.messageMethod, classes.RESPONSE, request.transactionId);
  if (request.messageMethod === methods.ALLOCATE) {
    m.setAttribute("XOR-RELAYED-ADDRESS", ["192.0.2.1", 50000])
      .setAttribute("XOR-MAPPED-ADDRESS", ["198.51.100.7", 40000])
      .setAttribute("LIFETIME", 600);
  }
  return m;
}

function options(): AllocateOptions {
  return {
    deadline: performance.now() + 1000,
    releaseTimeoutMs: 500,
    failure: (e) => ({ code: "timeout", detail: String(e), message: String(e) }),
  };
}

const signed = (m: Message) => m.attributesKeys.includes("MESSAGE-INTEGRITY");

describe("turnErrorFor", () => {
  it.each([
    [401, "wrong-credentials"],
    [438, "stale-nonce"],
    [403, "forbidden"],
    [437, "allocation-mismatch"],
    [442, "unsupported-transport-protocol"],
    [440, "address-family-not-supported"],
    [486, "allocation-quota-reached"],
    [508, "insufficient-capacity"],
    [420, "stun-error"],
    [500, "stun-error"],
  ])("maps %i to %s and keeps the exact STUN code", (code, expected) => {
    const e = turnErrorFor(code, "Reason");
    expect(e).toMatchObject({ code: expected, stunErrorCode: code, stunReason: "Reason" });
    expect(e.message).not.toBe("");
  });
});

describe("allocateOn", () => {
  it("answers a challenge with a long-term-credential signature, then releases the allocation", async () => {
    const { channel, sent } = scriptedChannel((req) => (signed(req) ? success(req) : error(req, 401, "Unauthorized", "n1")));
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());

    expect(outcome).toMatchObject({ ok: true, realm: REALM, relayedAddress: { address: "192.0.2.1", port: 50000 }, allocation: { lifetimeSec: 600, released: true } });
    const key = longTermKey(USER, REALM, PASSWORD);
    const auth = sent[1] as Message;
    expect(auth.getAttributeValue("USERNAME")).toBe(USER);
    expect(auth.getAttributeValue("REALM")).toBe(REALM);
    expect((auth.getAttributeValue("NONCE") as Buffer).toString()).toBe("n1");
    // The integrity verifies with the key, and the password itself never goes on the wire.
    expect(parseMessage(Buffer.from(auth.bytes), key)).toBeDefined();
    for (const m of sent) expect(Buffer.from(m.bytes).includes(PASSWORD)).toBe(false);
    expect(sent.map((m) => m.messageMethod)).toEqual([methods.ALLOCATE, methods.ALLOCATE, methods.CREATE_PERMISSION, methods.REFRESH]);
    expect(sent[3]?.getAttributeValue("LIFETIME")).toBe(0);
    expect(parseMessage(Buffer.from((sent[3] as Message).bytes), key)).toBeDefined();
  });

  it("retries once with the fresh nonce after a 438", async () => {
    const { channel, sent } = scriptedChannel((req, i) => {
      if (!signed(req)) return error(req, 401, "Unauthorized", "n1");
      return i === 1 ? error(req, 438, "Stale Nonce", "n2") : success(req);
    });
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome.ok).toBe(true);
    expect((sent[2]?.getAttributeValue("NONCE") as Buffer).toString()).toBe("n2");
    expect(outcome.exchanges.map((e) => e.outcome)).toEqual([
      "error 401 Unauthorized (challenge)",
      "error 438 Stale Nonce (retrying with the new nonce)",
      "success",
      "success",
      "success",
    ]);
  });

  it("reports stale-nonce when the retry is rejected as stale too", async () => {
    const { channel } = scriptedChannel((req) => (signed(req) ? error(req, 438, "Stale Nonce", "n9") : error(req, 401, "Unauthorized", "n1")));
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome.error).toMatchObject({ code: "stale-nonce", stunErrorCode: 438 });
    expect(outcome.exchanges).toHaveLength(3);
    expect(outcome.allocation).toBeUndefined();
  });

  it("reports a 401 after credentials as wrong credentials, without naming them", async () => {
    const { channel } = scriptedChannel((req) => error(req, 401, "Unauthorized", "n1"));
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome.error).toMatchObject({ code: "wrong-credentials", stunErrorCode: 401 });
    expect(JSON.stringify(outcome)).not.toContain(PASSWORD);
    expect(JSON.stringify(outcome)).not.toContain(USER);
  });

  it("re-signs the release with the new nonce when the Refresh gets a 438", async () => {
    const { channel, sent } = scriptedChannel((req, i) => {
      if (!signed(req)) return error(req, 401, "Unauthorized", "n1");
      if (req.messageMethod === methods.REFRESH && i === 3) return error(req, 438, "Stale Nonce", "n3");
      return success(req);
    });
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome.allocation).toMatchObject({ released: true });
    expect(sent[4]?.messageMethod).toBe(methods.REFRESH);
    expect((sent[4]?.getAttributeValue("NONCE") as Buffer).toString()).toBe("n3");
  });

  it("records a failed release instead of hiding it", async () => {
    const { channel } = scriptedChannel((req) => {
      if (!signed(req)) return error(req, 401, "Unauthorized", "n1");
      return req.messageMethod === methods.REFRESH ? "timeout" : success(req);
    });
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome.ok).toBe(true);
    expect(outcome.allocation).toMatchObject({ released: false, releaseError: expect.stringMatching(/no answer to the Refresh/) });
  });

  it("passes errors to the unauthenticated request through the same mapping (e.g. 508)", async () => {
    const { channel } = scriptedChannel((req) => error(req, 508, "Insufficient Capacity"));
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome.error).toMatchObject({ code: "insufficient-capacity", stunErrorCode: 508 });
  });

  it("calls a 401 without REALM or NONCE a malformed reply", async () => {
    const { channel } = scriptedChannel((req) => error(req, 401, "Unauthorized"));
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome.error?.code).toBe("malformed-reply");
  });

  it("reports a transaction failure through the transport's own wording", async () => {
    const { channel } = scriptedChannel(() => "timeout");
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome.error?.code).toBe("timeout");
    expect(outcome.exchanges).toEqual([{ request: "Allocate", outcome: "timeout" }]);
  });

  it("asks for a permission to a private peer after the Allocate, signed, before the release", async () => {
    const { channel, sent } = scriptedChannel((req) => (signed(req) ? success(req) : error(req, 401, "Unauthorized", "n1")));
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome.peerPermissions).toEqual([{ peerClass: "private", address: "10.0.0.1", allowed: true }]);
    const permission = sent[2] as Message;
    expect(permission.messageMethod).toBe(methods.CREATE_PERMISSION);
    expect(permission.getAttributeValue("XOR-PEER-ADDRESS")).toEqual(["10.0.0.1", 9]);
    expect(parseMessage(Buffer.from(permission.bytes), longTermKey(USER, REALM, PASSWORD))).toBeDefined();
    expect(outcome.exchanges.map((e) => e.request)).toEqual([
      "Allocate",
      "Allocate (authenticated)",
      "CreatePermission (private peer 10.0.0.1)",
      "Refresh (lifetime 0)",
    ]);
  });

  it("records a 403 to the permission as not allowed, and the relay stays ok", async () => {
    const { channel } = scriptedChannel((req) => {
      if (!signed(req)) return error(req, 401, "Unauthorized", "n1");
      return req.messageMethod === methods.CREATE_PERMISSION ? error(req, 403, "Forbidden IP") : success(req);
    });
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome).toMatchObject({ ok: true, allocation: { released: true } });
    expect(outcome.error).toBeUndefined();
    expect(outcome.peerPermissions).toEqual([{ peerClass: "private", address: "10.0.0.1", allowed: false, stunErrorCode: 403, stunReason: "Forbidden IP" }]);
    expect(outcome.exchanges.map((e) => e.outcome)).toEqual(["error 401 Unauthorized (challenge)", "success", "error 403 Forbidden IP", "success"]);
  });

  it("re-signs the permission with the new nonce after a 438", async () => {
    const { channel, sent } = scriptedChannel((req, i) => {
      if (!signed(req)) return error(req, 401, "Unauthorized", "n1");
      if (req.messageMethod === methods.CREATE_PERMISSION && i === 2) return error(req, 438, "Stale Nonce", "n4");
      return success(req);
    });
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome.peerPermissions).toEqual([{ peerClass: "private", address: "10.0.0.1", allowed: true }]);
    expect(sent[3]?.messageMethod).toBe(methods.CREATE_PERMISSION);
    expect((sent[3]?.getAttributeValue("NONCE") as Buffer).toString()).toBe("n4");
    // The release uses the nonce the permission retry learned.
    expect((sent[4]?.getAttributeValue("NONCE") as Buffer).toString()).toBe("n4");
    expect(outcome.exchanges.map((e) => e.request)).toEqual([
      "Allocate",
      "Allocate (authenticated)",
      "CreatePermission (private peer 10.0.0.1)",
      "CreatePermission (private peer 10.0.0.1), new nonce",
      "Refresh (lifetime 0)",
    ]);
  });

  it("a permission that gets no answer leaves no fact and does not fail the working relay", async () => {
    const { channel } = scriptedChannel((req) => {
      if (!signed(req)) return error(req, 401, "Unauthorized", "n1");
      return req.messageMethod === methods.CREATE_PERMISSION ? "timeout" : success(req);
    });
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome).toMatchObject({ ok: true, allocation: { released: true } });
    expect(outcome.error).toBeUndefined();
    expect(outcome.peerPermissions).toBeUndefined();
    expect(outcome.exchanges[2]).toEqual({ request: "CreatePermission (private peer 10.0.0.1)", outcome: "timeout" });
  });

  it("skips the permission when the deadline has already passed, and still releases", async () => {
    const { channel, sent } = scriptedChannel((req) => (signed(req) ? success(req) : error(req, 401, "Unauthorized", "n1")));
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, { ...options(), deadline: performance.now() - 1 });
    expect(outcome.ok).toBe(true);
    expect(outcome.peerPermissions).toBeUndefined();
    expect(sent.map((m) => m.messageMethod)).toEqual([methods.ALLOCATE, methods.ALLOCATE, methods.REFRESH]);
    expect(outcome.allocation?.released).toBe(true);
  });

  it("records the family asked for (IPv4: no REQUESTED-ADDRESS-FAMILY) and the relayed address's class", async () => {
    const { channel, sent } = scriptedChannel((req) => (signed(req) ? success(req) : error(req, 401, "Unauthorized", "n1")));
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome).toMatchObject({ ok: true, requestedFamily: 4, relayedAddressClass: "public" });
    expect(sent[1]?.attributesKeys).not.toContain("REQUESTED-ADDRESS-FAMILY");
  });

  it("after a 440 asks once for an IPv6 relay, records what it got, and releases it", async () => {
    const { channel, sent } = scriptedChannel((req) => {
      if (!signed(req)) return error(req, 401, "Unauthorized", "n1");
      if (req.messageMethod !== methods.ALLOCATE) return success(req);
      // coturn pads this reason phrase with NULs inside the attribute's length.
      if (req.getAttributeValue("REQUESTED-ADDRESS-FAMILY") === undefined) return error(req, 440, "Unsupported address family\0\0");
      return new StunMessage(req.messageMethod, classes.RESPONSE, req.transactionId).setAttribute("XOR-RELAYED-ADDRESS", ["2001:db8::3", 50000]).setAttribute("LIFETIME", 600);
    });
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome).toMatchObject({
      ok: false,
      requestedFamily: 4,
      error: { code: "address-family-not-supported", stunErrorCode: 440, stunReason: "Unsupported address family" },
      otherFamilyAllocation: { family: 6, allocated: true, relayedAddress: { address: "2001:db8::3", port: 50000, family: 6 } },
    });
    expect(sent[2]?.getAttributeValue("REQUESTED-ADDRESS-FAMILY")).toBe(0x02 << 24);
    expect(outcome.exchanges.map((e) => [e.request, e.outcome])).toEqual([
      ["Allocate", "error 401 Unauthorized (challenge)"],
      ["Allocate (authenticated)", "error 440 Unsupported address family"],
      ["Allocate (IPv6 relay)", "success"],
      ["Refresh (lifetime 0)", "success"],
    ]);
  });

  it("after a 440 records a refusal of the other family too, and releases nothing", async () => {
    const { channel, sent } = scriptedChannel((req) => (signed(req) ? error(req, 440, "Address Family not Supported") : error(req, 401, "Unauthorized", "n1")));
    const outcome = await allocateOn(channel, { username: USER, credential: PASSWORD }, options());
    expect(outcome.otherFamilyAllocation).toEqual({ family: 6, allocated: false, stunErrorCode: 440, stunReason: "Address Family not Supported" });
    expect(sent.map((m) => m.messageMethod)).toEqual([methods.ALLOCATE, methods.ALLOCATE, methods.ALLOCATE]);
  });
});
