import { readdirSync } from "node:fs";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "..", "..");

/** Page and route files under app/, as the routes Next.js serves them at: route groups dropped, private folders skipped. */
export function appRoutes(): { route: string; kind: "page" | "handler"; group: string | null }[] {
  const found: { route: string; kind: "page" | "handler"; group: string | null }[] = [];
  const walk = (dir: string, segments: string[], group: string | null) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (entry.name.startsWith("_")) continue;
        const isGroup = /^\(.*\)$/.test(entry.name);
        walk(path.join(dir, entry.name), isGroup ? segments : [...segments, entry.name], isGroup ? (group ?? entry.name) : group);
      } else if (/^(page|route)\.(tsx?|jsx?)$/.test(entry.name)) {
        found.push({ route: `/${segments.join("/")}`, kind: entry.name.startsWith("page") ? "page" : "handler", group });
      }
    }
  };
  walk(path.join(repoRoot, "app"), [], null);
  return found;
}

/** A URL for a route pattern: `[param]` becomes a sample value, an optional catch-all is left out. */
export function sampleUrl(route: string): string {
  return route.replace(/\/\[\[\.\.\.[^\]]+\]\]/g, "").replace(/\[(\.\.\.)?[^\]]+\]/g, "sample") || "/";
}

