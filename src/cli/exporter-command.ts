import { Command, InvalidArgumentError } from "commander";
import type { ExporterFlags } from "./exporter-action.js";
import { positiveInt } from "./parsers.js";
import type { Output } from "./output.js";

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError("--port must be a port number from 0 to 65535");
  return Number(value);
}

function offsetSeconds(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) > 60) throw new InvalidArgumentError("--timeout-offset must be a number of seconds from 0 to 60");
  return Number(value);
}

export function exporterCommand(out: Output, setExit: (code: number) => void): Command {
  return new Command("exporter")
    .description("run a Prometheus exporter in the manner of blackbox_exporter: /probe?target=<ICE URL>&module=<name> probes one STUN/TURN URL")
    .option("--config <file>", "modules file (YAML, or JSON by its .json name); without it one module, 'default': Binding or Allocate only")
    .option("--host <address>", "address to listen on", "0.0.0.0")
    .option("--port <port>", "HTTP port (0 = any free port)", port, 9816)
    .option("--concurrency <n>", "at most this many probes at once; others wait (and answer exporter_busy if their time runs out)", positiveInt("--concurrency", 1024), 8)
    .option("--timeout-offset <seconds>", "answer this long before the scrape timeout (X-Prometheus-Scrape-Timeout-Seconds)", offsetSeconds, 0.5)
    .option("--verbose", "one line per probe on stderr: target, module, result, reason, duration")
    .addHelpText(
      "after",
      "\nEndpoints: /probe, /metrics (the exporter's own), /-/healthy. Credentials come from the modules file or the\n" +
        "environment variables it names (credential_env, secret_env); none appears in a metric, a label or a log line.\n" +
        "Prometheus set-up, alert rules and a dashboard: docs/monitoring/README.md.",
    )
    .action(async (flags: ExporterFlags) => {
      // prom-client, the YAML parser and the probes load only when the exporter runs, not for its --help.
      const { runExporter } = await import("./exporter-action.js");
      await runExporter(out, setExit, flags);
    });
}
