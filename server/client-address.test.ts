import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

const from = (forwardedFor?: string, extra: Record<string, string> = {}) =>
  clientAddress(new Headers({ ...(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }), ...extra }));

describe("clientAddress", () => {
  it("keeps an IPv6 address whole, in its canonical form, where better-auth's rate-limit key keeps only the /64", () => {
    expect(from("2001:DB8:0:0:1:0:0:42")).toBe("2001:db8::1:0:0:42");
    expect(from("::1")).toBe("::1");
    expect(from(" 203.0.113.9 ")).toBe("203.0.113.9");
  });

  it("writes an IPv4 client of a dual-stack socket as IPv4", () => {
    expect(from("::ffff:198.51.100.4")).toBe("198.51.100.4");
  });

  it("does not believe a chain: its left-most entry is whatever the client typed", () => {
    expect(from("6.6.6.6, 203.0.113.9")).toBeNull();
    expect(from("6.6.6.6,203.0.113.9,10.0.0.1")).toBeNull();
  });

  it("answers null for a missing or malformed address rather than recording the text", () => {
    expect(from()).toBeNull();
    expect(from("")).toBeNull();
    expect(from("not-an-address")).toBeNull();
    expect(from("<script>")).toBeNull();
  });

  it("ignores X-Real-IP, which a client can send as easily as anything else", () => {
    expect(from(undefined, { "x-real-ip": "6.6.6.6" })).toBeNull();
    expect(from("203.0.113.9", { "x-real-ip": "6.6.6.6" })).toBe("203.0.113.9");
  });
});
