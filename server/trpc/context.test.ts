import { expect, test } from "vitest";
import { AUDITOR_ROLE_ID, MEMBER_ROLE_ID, OWNER_ROLE_ID } from "@/db/schema";
import { createClient } from "@/server/clients/commands";
import { createClientInput } from "@/server/clients/inputs";
import { mcpResourceUrl } from "@/server/oauth/config";
import { TEST_PUBLIC_URL } from "@/server/testing/auth";
import { createPersona, grantRole, hasRole, personaTestBed } from "@/server/testing/authz";
import { rejection, unique } from "@/server/testing/outcome";
import { tokenCallerAs } from "@/server/testing/trpc";

const bed = personaTestBed();

async function clientIn(domainId: string | null): Promise<string> {
  const input = createClientInput.parse({
    name: unique("App"),
    type: "public",
    redirectUris: ["https://app.example/callback"],
    scopes: ["mcp:read", "mcp:admin"],
    domainId,
  });
  const { client } = await createClient(bed.database.db, input, { createdBy: null, mcpResource: mcpResourceUrl(TEST_PUBLIC_URL) });
  return client.clientId;
}

test("an owner's token through a domain's client acts inside that domain only: no global role, no other domain", async () => {
  const deps = bed.deps();
  await grantRole(bed.database.db, bed.personas.owner.userId, MEMBER_ROLE_ID, bed.personas.domainA.id);
  const target = await createPersona(deps, MEMBER_ROLE_ID, bed.personas.domainA.id, "target");
  const asDomainApp = await tokenCallerAs(deps, bed.personas.owner.userId, await clientIn(bed.personas.domainA.id));

  const globalOwner = await rejection(asDomainApp.roles.assign({ userId: target.userId, roleId: OWNER_ROLE_ID, domainId: null }));
  expect(globalOwner).toMatchObject({ code: "FORBIDDEN", message: "You need the roles:admin permission globally." });
  expect(await hasRole(bed.database.db, target.userId, OWNER_ROLE_ID, null)).toBe(false);
  expect(await rejection(asDomainApp.users.list({ domainId: bed.personas.domainB.id }))).toMatchObject({ code: "NOT_FOUND" });
  expect(await rejection(asDomainApp.domains.get({ id: bed.personas.domainB.id }))).toMatchObject({ code: "NOT_FOUND" });
  expect(await asDomainApp.me.permissions()).toMatchObject({ global: [] });

  // Inside the domain the owner's authority still applies.
  await asDomainApp.roles.assign({ userId: target.userId, roleId: AUDITOR_ROLE_ID, domainId: bed.personas.domainA.id });
  expect(await hasRole(bed.database.db, target.userId, AUDITOR_ROLE_ID, bed.personas.domainA.id)).toBe(true);

  // The same owner through an installation-wide client is not confined.
  const asInstallationApp = await tokenCallerAs(deps, bed.personas.owner.userId, await clientIn(null));
  await expect(asInstallationApp.users.list({ domainId: bed.personas.domainB.id })).resolves.toMatchObject({ items: expect.any(Array) });
  expect((await asInstallationApp.me.permissions()).global).toContain("roles:admin");
});

test("what someone holds in one domain does not come with them through another domain's client", async () => {
  const asOtherDomainApp = await tokenCallerAs(bed.deps(), bed.personas.domainAdminA.userId, await clientIn(bed.personas.domainB.id));
  expect(await asOtherDomainApp.me.permissions()).toEqual({ global: [], byDomain: {} });
  expect(await rejection(asOtherDomainApp.users.list({}))).toMatchObject({ code: "FORBIDDEN" });
});
