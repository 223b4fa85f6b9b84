import { expect, test } from "vitest";
import { Authority } from "@/server/authz/authority";
import type { Permission } from "@/server/shared/permissions";
import { grantableMcpScopes, usableMcpScopes } from "./catalog";

const authority = (global: Permission[], byDomain: Record<string, Permission[]> = {}) =>
  new Authority(new Set(global), new Map(Object.entries(byDomain).map(([domainId, permissions]) => [domainId, new Set(permissions)])));

test("a tier is usable where every permission of one of its tools is held: globally for an installation-wide client, global ∪ domain for a domain's", () => {
  // whoami needs no permission, so anyone can use mcp:read.
  expect(usableMcpScopes(Authority.none, null)).toEqual(["mcp:read"]);
  // create_client needs clients:write; assign_role needs roles:admin.
  const held = authority(["clients:write"], { a: ["roles:admin"] });
  expect(usableMcpScopes(held, null)).toEqual(["mcp:read", "mcp:write"]);
  expect(usableMcpScopes(held, "a")).toEqual(["mcp:read", "mcp:write", "mcp:admin"]);
  // A permission held in another domain does not count.
  expect(usableMcpScopes(held, "b")).toEqual(["mcp:read", "mcp:write"]);
  expect(usableMcpScopes(authority([], { a: ["users:admin"] }), "a")).toEqual(["mcp:read", "mcp:admin"]);
});

test("permissions of different tools of a tier do not add up to one tool", () => {
  // No mcp:write tool needs only users:read plus domains:read.
  expect(usableMcpScopes(authority(["users:read", "domains:read"]), null)).toEqual(["mcp:read"]);
});

test("confined to a domain, grants hold there only: global permissions count in that domain and nowhere else", () => {
  const owner = authority(["roles:admin", "users:read"], { a: ["clients:write"], b: ["tokens:admin"] });
  const confined = owner.confinedTo("a");
  expect(confined.has("roles:admin", null)).toBe(false);
  expect(confined.has("roles:admin", "a")).toBe(true);
  expect(confined.has("clients:write", "a")).toBe(true);
  expect(confined.has("tokens:admin", "b")).toBe(false);
  expect(confined.scopeOf("users:read")).toEqual({ all: false, domainIds: ["a"] });
  expect(authority([]).confinedTo("a").hasAnywhere("users:read")).toBe(false);
});

test("what a token can be granted is what tools/list would show it: for a domain's client, the tiers usable in that domain; for an installation-wide one, tools allowed in any domain count", () => {
  const domainAdminElsewhere = authority([], { home: [], elsewhere: ["users:read", "users:write", "users:admin"] });
  expect(grantableMcpScopes(domainAdminElsewhere.confinedTo("home"))).toEqual(usableMcpScopes(domainAdminElsewhere, "home"));
  expect(grantableMcpScopes(domainAdminElsewhere.confinedTo("home"))).toEqual(["mcp:read"]);
  expect(grantableMcpScopes(domainAdminElsewhere.confinedTo("elsewhere"))).toEqual(usableMcpScopes(domainAdminElsewhere, "elsewhere"));
  // The installation-wide rule for a client's creator counts global grants only; a token's tools count every domain.
  expect(usableMcpScopes(domainAdminElsewhere, null)).toEqual(["mcp:read"]);
  expect(grantableMcpScopes(domainAdminElsewhere)).toEqual(["mcp:read", "mcp:write", "mcp:admin"]);
  expect(grantableMcpScopes(Authority.none)).toEqual(["mcp:read"]);
});
