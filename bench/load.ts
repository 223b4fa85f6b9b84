/**
 * The load generator, run as its own process by bench/run.ts so that generating load does not
 * share an event loop with anything measured. Reads its JSON config from the file named by its
 * argument, prints one JSON result line.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";

export interface LoadConfig {
  url: string;
  method?: "GET" | "POST";
  body?: string;
  /**
   * One request per body, each sent once, instead of `body` for `durationSeconds`: for calls that
   * consume what they send, such as a rotating refresh token.
   */
  bodies?: string[];
  /**
   * Every request comes from its own client address (X-Forwarded-For), as many clients would: the
   * per-IP rate limits would otherwise measure the limiter instead of the endpoint.
   */
  spreadClientIps?: boolean;
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
  /**
   * CPU time (user + system) the server's processes used during the run, divided by the responses:
   * the figure least disturbed by whatever else the machine is doing. Set by bench/run.ts.
   */
  serverCpuMsPerRequest?: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number;
}

async function main() {
  const config = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8")) as LoadConfig;
  // autocannon's summary has p97.5 but no p95, so every response time is kept.
  const latencies: number[] = [];
  let sent = 0;
  const perRequest = config.bodies !== undefined || config.spreadClientIps === true;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: config.url,
        method: config.method ?? "GET",
        body: config.body,
        headers: config.headers,
        connections: config.connections,
        ...(config.bodies ? { amount: config.bodies.length } : { duration: config.durationSeconds }),
        ...(perRequest
          ? {
              requests: [
                {
                  setupRequest: (request: autocannon.Request) => {
                    const index = sent;
                    sent += 1;
                    const headers = { ...request.headers };
                    if (config.spreadClientIps) headers["x-forwarded-for"] = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
                    return { ...request, headers, body: config.bodies ? config.bodies[index % config.bodies.length] : request.body };
                  },
                },
              ],
            }
          : {}),
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
    requestsPerSecond: latencies.length / Math.max(result.duration, 0.001),
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
