/**
 * The floor under GET /api/health: the same answer (a `select 1` on the same libSQL file, the same
 * JSON body and Cache-Control) from a bare node:http handler on the same Node, started by bench/run.ts
 * as `node --import tsx bench/bare-health.ts` with BARE_PORT and BARE_DATABASE_URL. Loaded exactly
 * like /api/health, the difference between the two is what the Next.js request pipeline costs.
 */
import { createServer } from "node:http";
import { createClient } from "@libsql/client";

const port = Number(process.env.BARE_PORT);
const url = process.env.BARE_DATABASE_URL;
if (!port || !url) {
  console.error("BARE_PORT and BARE_DATABASE_URL are required");
  process.exit(1);
}
const database = createClient({ url });

const server = createServer((request, response) => {
  if (request.url !== "/api/health") {
    response.writeHead(404).end();
    return;
  }
  database.execute("select 1").then(
    () => {
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(JSON.stringify({ status: "ok", db: "ok" }));
    },
    () => {
      response.writeHead(503, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(JSON.stringify({ status: "unavailable", db: "unreachable" }));
    },
  );
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1", () => console.info(`bare health listening on http://127.0.0.1:${port}`));
process.once("SIGTERM", () => server.close(() => process.exit(0)));
