import { appendFileSync, writeFileSync } from "node:fs";
import { scrubSecrets } from "../secrets/scrub.js";
import { AddressRedactor } from "../report/redact-addresses.js";

const closed = new WeakSet<NodeJS.WriteStream>();

/**
 * A reader that went away (`rtc-doctor --help | head -1`) makes the next write fail with EPIPE, and
 * an unhandled stream error would end the process with a stack trace. The run goes on to its exit
 * code; what it would still have written to that stream has nobody to read it.
 */
function writeTo(stream: NodeJS.WriteStream, text: string): void {
  if (closed.has(stream)) return;
  if (stream.listenerCount("error") === 0) stream.on("error", () => closed.add(stream));
  stream.write(text);
}

/** Writes to stdout or stderr with secrets removed; nothing leaves the process any other way. */
export class Output {
  constructor(
    private readonly secrets: readonly string[] = [],
    /** --redact: IP addresses become placeholders, the same ones in every stream and file of the run. */
    private readonly addresses?: AddressRedactor,
  ) {}

  withSecrets(more: readonly string[]): Output {
    return new Output([...this.secrets, ...more], this.addresses);
  }

  withAddressRedaction(on: boolean): Output {
    return new Output(this.secrets, on ? (this.addresses ?? new AddressRedactor()) : undefined);
  }

  clean(text: string): string {
    const scrubbed = scrubSecrets(text, this.secrets);
    return this.addresses ? this.addresses.redact(scrubbed) : scrubbed;
  }

  stdout(text: string): void {
    writeTo(process.stdout, this.clean(text));
  }

  stderr(text: string): void {
    writeTo(process.stderr, this.clean(text));
  }

  file(path: string, text: string): void {
    writeFileSync(path, this.clean(text));
  }

  /** For files others write to as well, such as $GITHUB_STEP_SUMMARY. */
  append(path: string, text: string): void {
    appendFileSync(path, this.clean(text));
  }
}
