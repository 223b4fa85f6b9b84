import { describe, expect, it } from "vitest";
import { authPlugin, hook, type PluginHook } from "./define";

// The matcher only reads the path; the rest of better-auth's context does not matter to it.
const asked = (entry: PluginHook, path: string | undefined) => entry.matcher({ path } as Parameters<PluginHook["matcher"]>[0]);
const nothing = async () => undefined;

describe("hook", () => {
  it("matches one path exactly, so a longer path under it is not seen", () => {
    const entry = hook("/sign-up/email", nothing);
    expect(asked(entry, "/sign-up/email")).toBe(true);
    expect(asked(entry, "/sign-up/email/resend")).toBe(false);
    expect(asked(entry, undefined)).toBe(false);
  });

  it("matches every path of a set or map, and a call that names no endpoint matches none", () => {
    const paths = hook(new Set(["/two-factor/verify-totp", "/two-factor/verify-otp"]), nothing);
    expect(asked(paths, "/two-factor/verify-otp")).toBe(true);
    expect(asked(paths, "/two-factor/enable")).toBe(false);
    const named = hook(new Map([["/two-factor/disable", "auth.mfa_removed"]]), nothing);
    expect(asked(named, "/two-factor/disable")).toBe(true);
    expect(asked(named, undefined)).toBe(false);
  });

  it("hands a test of the request through as it is", () => {
    const entry = hook((ctx) => (ctx.path ?? "").startsWith("/oauth2/"), nothing);
    expect(asked(entry, "/oauth2/token")).toBe(true);
    expect(asked(entry, "/sign-in/email")).toBe(false);
  });
});

describe("authPlugin", () => {
  it("puts the hooks where better-auth looks for them and keeps the other parts as written", () => {
    const before = hook("/sign-out", nothing);
    const plugin = authPlugin({ id: "gatehouse-example", options: { limit: 3 }, before: [before] });
    expect(plugin).toEqual({ id: "gatehouse-example", options: { limit: 3 }, hooks: { before: [before], after: [] } });
    // The parts keep their written types, so a reader of `options` needs no cast.
    const limit: number = plugin.options.limit;
    expect(limit).toBe(3);
  });
});
