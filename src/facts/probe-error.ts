import type { ProbeError, ProbeErrorCode } from "./common.js";

/** The one way to make a ProbeError, so `detail` and its `message` twin never drift apart. */
export function probeError(code: ProbeErrorCode, detail: string, stun?: { stunErrorCode?: number; stunReason?: string }): ProbeError {
  return {
    code,
    ...(stun?.stunErrorCode !== undefined ? { stunErrorCode: stun.stunErrorCode } : {}),
    ...(stun?.stunReason !== undefined ? { stunReason: stun.stunReason } : {}),
    detail,
    message: detail,
  };
}

/** The error's detail; reports from before `detail` have only `message`. */
export function detailOf(error: ProbeError): string;
export function detailOf(error: ProbeError | undefined): string | undefined;
export function detailOf(error: ProbeError | undefined): string | undefined {
  return error === undefined ? undefined : ((error.detail as string | undefined) ?? error.message);
}
