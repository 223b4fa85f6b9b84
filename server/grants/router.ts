import { CLIENT_NOT_FOUND } from "@/server/oauth/clients";
import { router } from "@/server/trpc/init";
import { canFlagsOfPage, permissionProcedure, rowProcedure } from "@/server/trpc/procedures";
import { TOKEN_NOT_FOUND, jtiOf, revokeAllForClient, revokeGrant, revokeToken } from "./commands";
import { grantInput, listGrantsInput, revokeAllForClientInput, revokeTokenInput } from "./inputs";
import { findClientDomain, findGrantReach, findIssuedToken, listGrants } from "./queries";
import { assertMayRevokeGrant } from "./reach";

type GrantPage = Awaited<ReturnType<typeof listGrants>>;

/** OAuth grants: a user's authorization of a client (consent, refresh and access tokens), and their revocation. */
export const grantsRouter = router({
  list: permissionProcedure("tokens:read")
    .meta({
      description:
        "Lists live OAuth grants (a user's remembered consent, refresh tokens and unexpired access tokens for one client), by default newest activity first (sort by last activity or creation), with scopes, created and last-used times; filter by user, client or owning domain.",
      can: canFlagsOfPage<GrantPage["items"][number]>({
        revoke: { procedure: "grants.revoke", input: (grant) => ({ userId: grant.userId, clientId: grant.clientId }) },
        openClient: { procedure: "clients.get", input: (grant) => ({ clientId: grant.clientId }) },
      }),
    })
    .input(listGrantsInput)
    .query(({ ctx, input }) => listGrants(ctx.db, ctx.authority, input)),

  revoke: permissionProcedure("tokens:delete")
    .meta({
      description:
        "Revokes one user's grant to one client: forgets the consent and revokes its refresh and access tokens at once; the client must send the user through consent again.",
      stepUp: false,
    })
    .input(grantInput)
    .mutation(async ({ ctx, input }) => {
      assertMayRevokeGrant(ctx.authority, await findGrantReach(ctx.db, input));
      return revokeGrant(ctx, input);
    }),

  revokeToken: rowProcedure({
    permission: "tokens:delete",
    visibleWith: "tokens:read",
    input: revokeTokenInput,
    load: (db, input) => findIssuedToken(db, jtiOf(input)),
    notFound: TOKEN_NOT_FOUND,
  })
    .meta({ description: "Revokes one access token, by its jti or the token itself; it is refused at the next request.", stepUp: false })
    .mutation(({ ctx }) => revokeToken(ctx, ctx.row)),

  revokeAllForClient: rowProcedure({
    permission: "tokens:admin",
    visibleWith: "tokens:read",
    input: revokeAllForClientInput,
    load: (db, input) => findClientDomain(db, input.clientId),
    notFound: CLIENT_NOT_FOUND,
  })
    .meta({
      description:
        "Revokes every grant and token of one client for all its users at once; the client itself stays registered. Needs a recent sign-in.",
      stepUp: { action: "revoke all of a client's grants", raises: ["destroys-in-bulk"] },
    })
    .mutation(({ ctx }) => revokeAllForClient(ctx, ctx.row)),
});
