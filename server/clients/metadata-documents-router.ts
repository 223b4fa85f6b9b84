import { TRPCError } from "@trpc/server";
import { requireGlobally } from "@/server/authz/guard";
import type { Authority } from "@/server/authz/authority";
import { TOKEN_SESSION_PREFIX } from "@/server/auth/step-up";
import { revocationDetails } from "@/server/grants/commands";
import {
  allowMetadataHost,
  blockMetadataHost,
  hostInput,
  readHostRule,
  readMetadataDocumentMode,
  readMetadataDocumentPolicy,
  removeMetadataHostRule,
  setMetadataDocumentMode,
  setModeInput,
  widensMode,
} from "@/server/oauth/metadata-document-policy";
import type { Context } from "@/server/trpc/context";
import { router } from "@/server/trpc/init";
import { permissionProcedure, stepUpWhen } from "@/server/trpc/procedures";

/**
 * The policy is installation-wide: only a global clients:admin changes it, in the console. A token's
 * session (an MCP client acting for someone) never does, whatever the person behind it holds.
 */
function requirePolicyAuthority(ctx: Pick<Context, "session">, authority: Authority): void {
  if (ctx.session?.id.startsWith(TOKEN_SESSION_PREFIX)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "An MCP client cannot change which client ID metadata documents Gatehouse accepts. An administrator can do it in the console.",
    });
  }
  requireGlobally(authority, "clients:admin");
}

export const clientMetadataDocumentsRouter = router({
  get: permissionProcedure("clients:read")
    .meta({
      description:
        "Returns the installation's policy on client ID metadata documents (https client_id URLs): the mode (all public hosts, an allow-list, or off) and the hosts an administrator allowed or blocked, with how many clients each has. Needs clients:read globally.",
    })
    .query(async ({ ctx }) => {
      requireGlobally(ctx.authority, "clients:read");
      const policy = await readMetadataDocumentPolicy(ctx.db);
      return { ...policy, can: { change: ctx.authority.has("clients:admin", null) } };
    }),

  setMode: permissionProcedure("clients:admin")
    .meta({
      description:
        'Sets which client ID metadata documents are accepted: "all" (any public https host), "allowlist" (only allowed hosts) or "off". Accepting more than before needs a recent sign-in. Clients already seen stay listed; a refused one fails at its next authorization or token request.',
      stepUp: {
        action: "accept more client metadata documents",
        raises: ["trusts-client"],
        when: stepUpWhen(setModeInput, async (ctx, input) => widensMode(await readMetadataDocumentMode(ctx.db), input.mode)),
      },
    })
    .input(setModeInput)
    .mutation(async ({ ctx, input }) => {
      requirePolicyAuthority(ctx, ctx.authority);
      await ctx.db.transaction((tx) => setMetadataDocumentMode(tx, ctx.actor, input.mode));
      return readMetadataDocumentPolicy(ctx.db);
    }),

  allowHost: permissionProcedure("clients:admin")
    .meta({
      description:
        "Allows a host's client ID metadata documents (what the allow-list mode accepts); replaces a block on it. Needs clients:admin globally and a recent sign-in.",
      stepUp: { action: "allow a host's client metadata documents", raises: ["trusts-client"] },
    })
    .input(hostInput)
    .mutation(async ({ ctx, input }) => {
      requirePolicyAuthority(ctx, ctx.authority);
      await ctx.db.transaction((tx) => allowMetadataHost(tx, ctx.actor, input.host));
      return readMetadataDocumentPolicy(ctx.db);
    }),

  blockHost: permissionProcedure("clients:admin")
    .meta({
      description:
        "Blocks a host's client ID metadata documents whatever the mode, and revokes every grant and token its clients hold, for every user. Needs clients:admin globally and a recent sign-in.",
      stepUp: { action: "block a host and revoke its clients' grants", raises: ["destroys-in-bulk"] },
    })
    .input(hostInput)
    .mutation(async ({ ctx, input }) => {
      requirePolicyAuthority(ctx, ctx.authority);
      const revoked = await ctx.db.transaction((tx) => blockMetadataHost(tx, ctx.actor, input.host));
      return { ...(await readMetadataDocumentPolicy(ctx.db)), revoked: { clients: revoked.clients, ...revocationDetails(revoked) } };
    }),

  removeHostRule: permissionProcedure("clients:admin")
    .meta({
      description:
        "Removes the allow or block rule on a host. Lifting a block lets the host's clients in again and needs a recent sign-in; removing an allow takes the host off the allow-list.",
      stepUp: {
        action: "lift a block on a host",
        raises: ["trusts-client"],
        when: stepUpWhen(hostInput, async (ctx, input) => (await readHostRule(ctx.db, input.host)) === "block"),
      },
    })
    .input(hostInput)
    .mutation(async ({ ctx, input }) => {
      requirePolicyAuthority(ctx, ctx.authority);
      await ctx.db.transaction((tx) => removeMetadataHostRule(tx, ctx.actor, input.host));
      return readMetadataDocumentPolicy(ctx.db);
    }),
});
