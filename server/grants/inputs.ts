import { z } from "zod";
import { idSchema } from "@/server/ids";
import { pageInputFields, sortSchema } from "@/server/paging";

export const GRANT_SORTS = ["lastActive", "createdAt"] as const;

export const listGrantsInput = z
  .object({
    sort: sortSchema(GRANT_SORTS, { by: "lastActive", direction: "desc" }),
    userId: idSchema("user id").optional().describe("Only this user's grants."),
    clientId: idSchema("client id").optional().describe("Only grants to this client."),
    domainId: idSchema("domain id").optional().describe("Only grants to clients owned by this domain."),
    ...pageInputFields("grant", "grants"),
  })
  .prefault({});

/** One grant: a user's authorization of one client. */
export const grantInput = z.object({
  userId: idSchema("user id").describe("The user who holds the grant."),
  clientId: idSchema("client id").describe("The client the grant was made to."),
});

export const revokeTokenInput = z.union(
  [
    z.object({ jti: idSchema("token id (jti)").describe("The access token's jti claim.") }).strict(),
    z.object({ token: z.string().min(1, "Give the token.").max(8000).describe("The access token itself (a JWT).") }).strict(),
  ],
  "Give either jti or token.",
);

export const revokeAllForClientInput = z.object({
  clientId: idSchema("client id").describe("The client whose grants end."),
});
