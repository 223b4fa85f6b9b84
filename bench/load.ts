/**
 * The load generator, run as its own process by bench/run.ts so that generating load does not
 * share an event loop with anything measured. Reads one JSON config argument, prints one JSON
 * result line.
 */
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";

export interface LoadConfig {
  url: string;
  method?: "GET" | "POST";
  body?: string;
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number;
}

async function main() {
  const config = JSON.parse(process.argv[2] ?? "{}") as LoadConfig;
  // autocannon's summary has p97.5 but no p95, so every response time is kept.
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: config.url,
        method: config.method ?? "GET",
        body: config.body,
        headers: config.headers,
        connections: config.connections,
        duration: config.durationSeconds,
      },
      (error: unknown, finished: autocannon.Result) => (error ? reject(error) : resolve(finished)),
    );
    instance.on("response", (_client, _statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
  latencies.sort((a, b) => a - b);
  const output: LoadResult = {
    requests: latencies.length,
    requestsPerSecond: latencies.length / config.durationSeconds,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
