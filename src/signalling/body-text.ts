/** The longest summary of a body that goes into a message. */
export const MAX_BODY_SUMMARY_CHARS = 160;
/** Only the start of a body is read for its summary: an error page says what it is near the top. */
const SCANNED_CHARS = 64 * 1024;

/**
 * A server's error body as one short line of plain text, fit for a one-line message: the reason of
 * a JSON error (`error`, `message`, `detail`), the visible text of an HTML page (without its CSS,
 * scripts, tags or entities), and never control characters, which a hostile server could use to
 * rewrite the terminal the message is printed on.
 */
export function bodySummary(body: string, contentType = ""): string {
  const head = body.slice(0, SCANNED_CHARS);
  const text = jsonReason(head) ?? (looksLikeMarkup(head, contentType) ? decodeEntities(visibleText(head)) : head);
  const line = text
    .replace(/[\p{Cc}\p{Cf}]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return line.length > MAX_BODY_SUMMARY_CHARS ? `${line.slice(0, MAX_BODY_SUMMARY_CHARS - 1).trimEnd()}…` : line;
}

function looksLikeMarkup(body: string, contentType: string): boolean {
  return /html|xml/i.test(contentType) || body.trimStart().startsWith("<");
}

const REASON_KEYS = ["error_description", "message", "detail", "error", "reason", "title"];

/** The human-readable reason in a JSON error body ({"error": "..."}, {"error": {"message": "..."}}, RFC 9457 problem details). */
function jsonReason(body: string): string | undefined {
  const trimmed = body.trim();
  if (!trimmed.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  for (let depth = 0; depth < 3 && value !== null && typeof value === "object" && !Array.isArray(value); depth += 1) {
    const record = value as Record<string, unknown>;
    const key = REASON_KEYS.find((k) => typeof record[k] === "string" && (record[k] as string).trim() !== "");
    if (key) return record[key] as string;
    value = record["error"];
  }
  return undefined;
}

/**
 * The text between the tags, with comments, scripts and styles dropped. A linear scan rather than
 * regular expressions: a body full of unclosed `<` or `<script` would make a backtracking pattern
 * take minutes.
 */
function visibleText(html: string): string {
  const lower = html.toLowerCase();
  const parts: string[] = [];
  let i = 0;
  while (i < html.length) {
    const open = html.indexOf("<", i);
    if (open < 0) {
      parts.push(html.slice(i));
      break;
    }
    parts.push(html.slice(i, open), " ");
    if (lower.startsWith("<!--", open)) {
      const end = html.indexOf("-->", open + 4);
      if (end < 0) break;
      i = end + 3;
      continue;
    }
    const raw = /^<(script|style)[\s>/]/.exec(lower.slice(open, open + 8))?.[1];
    const from = raw ? lower.indexOf(`</${raw}`, open) : open;
    if (from < 0) break;
    const close = html.indexOf(">", from);
    if (close < 0) break;
    i = close + 1;
  }
  return parts.join("");
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
    if (name.startsWith("#")) {
      const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : " ";
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}
