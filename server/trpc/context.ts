import type { Database } from "@/db/client";
import { requestOrigin, type AuditActor } from "@/server/audit/record";
import type { Auth } from "@/server/auth/auth";
import { Grants, loadGrants } from "@/server/authz/grants";

export interface ContextDependencies {
  db: Database;
  auth: Auth;
  headers: Headers;
  /** MCP calls pass "mcp" and the OAuth client id; the browser is "web". */
  via?: AuditActor["via"];
  clientId?: string | null;
}

/** Identifies the caller; procedures decide what that caller may do. */
export async function createTRPCContext({ db, auth, headers, via = "web", clientId = null }: ContextDependencies) {
  const session = await auth.api.getSession({ headers });
  const user = session?.user ?? null;
  const actor: AuditActor = { userId: user?.id ?? null, via, clientId, ...requestOrigin(headers) };

  let grants: Promise<Grants> | undefined;
  return {
    db,
    auth,
    headers,
    session: session?.session ?? null,
    user,
    actor,
    /** The caller's grants, loaded with one query on first use and memoised for the request. */
    grants: (): Promise<Grants> => {
      if (!user) return Promise.resolve(Grants.none);
      grants ??= loadGrants(db, user.id);
      return grants;
    },
  };
}

export type Context = Awaited<ReturnType<typeof createTRPCContext>>;
