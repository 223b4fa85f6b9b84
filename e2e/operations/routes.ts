import { readdirSync } from "node:fs";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "..", "..");

/** Page and route files under app/, as the routes Next.js serves them at: route groups dropped, private folders skipped. */
export function appRoutes(): { route: string; kind: "page" | "handler" }[] {
  const found: { route: string; kind: "page" | "handler" }[] = [];
  const walk = (dir: string, segments: string[]) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (entry.name.startsWith("_")) continue;
        walk(path.join(dir, entry.name), /^\(.*\)$/.test(entry.name) ? segments : [...segments, entry.name]);
      } else if (/^(page|route)\.(tsx?|jsx?)$/.test(entry.name)) {
        found.push({ route: `/${segments.join("/")}`, kind: entry.name.startsWith("page") ? "page" : "handler" });
      }
    }
  };
  walk(path.join(repoRoot, "app"), []);
  return found;
}

/** A URL for a route pattern: `[param]` becomes a sample value, an optional catch-all is left out. */
export function sampleUrl(route: string): string {
  return route.replace(/\/\[\[\.\.\.[^\]]+\]\]/g, "").replace(/\[(\.\.\.)?[^\]]+\]/g, "sample") || "/";
}

