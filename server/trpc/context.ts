import type { Database } from "@/db/client";
import { requestOrigin, type AuditActor } from "@/server/audit/record";
import type { Auth } from "@/server/auth/auth";
import { Authority, loadAuthority, loadTokenAuthority } from "@/server/authz/authority";
import { user as userTable } from "@/db/schema";
import { eq } from "drizzle-orm";
import { mfaRequirement, type MfaRequirement } from "@/server/users/mfa";
import { TOKEN_SESSION_PREFIX } from "@/server/auth/step-up";

export interface ContextDependencies {
  db: Database;
  auth: Auth;
  headers: Headers;
  /**
   * An MCP call: the user an already verified access token acts for, the client holding it and the
   * token's id. The browser's cookie session is not consulted then.
   */
  bearer?: { userId: string; clientId: string; tokenId: string; sessionId: string | null };
}

/** What procedures know of how the caller signed in: the browser session, or the access token standing in for one. */
export interface CallerSession {
  id: string;
  /**
   * The browser session whose sign-in stands behind this call: the session itself, or the one the
   * token was authorized in. Step-up judges how recent that sign-in is.
   */
  signInSessionId: string | null;
}

/** The signed-in user as procedures see it. */
export interface CallerUser {
  id: string;
  email: string;
  name: string;
}

async function bearerIdentity(db: Database, userId: string): Promise<CallerUser | null> {
  const [row] = await db
    .select({ id: userTable.id, email: userTable.email, name: userTable.name })
    .from(userTable)
    .where(eq(userTable.id, userId))
    .limit(1);
  return row ?? null;
}

/** Identifies the caller; procedures decide what that caller may do. */
export async function createTRPCContext({ db, auth, headers, bearer }: ContextDependencies) {
  let user: CallerUser | null = null;
  let session: CallerSession | null = null;
  if (bearer) {
    user = await bearerIdentity(db, bearer.userId);
    // No browser session stands behind a token call, so "this session" never matches a real one.
    session = user ? { id: `${TOKEN_SESSION_PREFIX}${bearer.tokenId}`, signInSessionId: bearer.sessionId } : null;
  } else {
    const current = await auth.api.getSession({ headers });
    user = current ? { id: current.user.id, email: current.user.email, name: current.user.name } : null;
    session = current ? { id: current.session.id, signInSessionId: current.session.id } : null;
  }
  const actor: AuditActor = {
    userId: user?.id ?? null,
    via: bearer ? "mcp" : "web",
    clientId: bearer?.clientId ?? null,
    ...requestOrigin(headers),
  };

  let authority: Promise<Authority> | undefined;
  let requirement: Promise<MfaRequirement> | undefined;
  return {
    db,
    auth,
    headers,
    session,
    user,
    actor,
    /**
     * The caller's authority, loaded on first use and memoised for the request; a token's are confined to
     * its client's domain when a domain owns the client.
     */
    authority: (): Promise<Authority> => {
      if (!user) return Promise.resolve(Authority.none);
      authority ??= bearer ? loadTokenAuthority(db, user.id, bearer.clientId) : loadAuthority(db, user.id);
      return authority;
    },
    /** Whether the caller must have a second factor and has one; memoised like `authority`. */
    mfaRequirement: (userId: string): Promise<MfaRequirement> => {
      requirement ??= mfaRequirement(db, userId);
      return requirement;
    },
  };
}

export type Context = Awaited<ReturnType<typeof createTRPCContext>>;
