/**
 * Array columns the provider writes (scopes, redirect URIs) pass through better-auth's adapter, which
 * JSON-encodes them for SQLite, and then drizzle's json mode, which encodes them again; rows Gatehouse
 * writes are encoded once. Reads accept both.
 */
export function storedStringArray(value: unknown): string[] {
  let decoded = value;
  for (let depth = 0; depth < 2 && typeof decoded === "string"; depth += 1) {
    try {
      decoded = JSON.parse(decoded);
    } catch {
      return [];
    }
  }
  return Array.isArray(decoded) ? decoded.filter((item): item is string => typeof item === "string") : [];
}
