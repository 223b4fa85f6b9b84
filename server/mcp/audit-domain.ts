import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { clientRegistration } from "@/db/schema";
import { auditDomainOf } from "@/server/users/visibility";

/**
 * The domain an MCP call's audit row is filed under, so that the domain's administrators see it in
 * their audit log and count it on their dashboard. A call is the business of the domain whose OAuth
 * client made it: that domain's administrators manage the client and its grants, and only the
 * domain's members can authorize it. A call through an installation-wide client (dynamically
 * registered MCP clients are) is filed like every other event about the person: under their only
 * domain, or none when they are in several or none.
 */
export async function mcpAuditDomainOf(db: Executor, clientId: string, userId: string): Promise<string | null> {
  const [registration] = await db
    .select({ domainId: clientRegistration.domainId })
    .from(clientRegistration)
    .where(eq(clientRegistration.clientId, clientId))
    .limit(1);
  return registration?.domainId ?? (await auditDomainOf(db, userId));
}
