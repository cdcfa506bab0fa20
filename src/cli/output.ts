import { appendFileSync, writeFileSync } from "node:fs";
import { scrubSecrets } from "../secrets/scrub.js";
import { AddressRedactor } from "../report/redact-addresses.js";

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
    process.stdout.write(this.clean(text));
  }

  stderr(text: string): void {
    process.stderr.write(this.clean(text));
  }

  file(path: string, text: string): void {
    writeFileSync(path, this.clean(text));
  }

  /** For files others write to as well, such as $GITHUB_STEP_SUMMARY. */
  append(path: string, text: string): void {
    appendFileSync(path, this.clean(text));
  }
}
