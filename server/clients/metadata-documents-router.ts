import { readHostRule, readMetadataDocumentMode } from "@/server/oauth/metadata-document-policy";
import { router } from "@/server/trpc/init";
import { canFlagsOfObject, permissionProcedure, stepUpWhen } from "@/server/trpc/procedures";
import { allowMetadataHost, blockMetadataHost, removeMetadataHostRule, setMetadataDocumentMode, widensMode } from "./commands";
import { hostInput, setModeInput } from "./inputs";
import { metadataDocumentPolicy } from "./queries";

type Policy = Awaited<ReturnType<typeof metadataDocumentPolicy>>;

export const clientMetadataDocumentsRouter = router({
  get: permissionProcedure("clients:read")
    .meta({
      description:
        "Returns the installation's policy on client ID metadata documents (https client_id URLs): the mode (all public hosts, an allow-list, or off) and the hosts an administrator allowed or blocked, with how many clients each has. Needs clients:read globally.",
      // The policy is one object: `can.change` predicts every change, setting the mode it has being the harmless one.
      can: canFlagsOfObject<Policy>({
        change: { procedure: "clientMetadataDocuments.setMode", input: (policy) => ({ mode: policy.mode }) },
      }),
    })
    .query(({ ctx }) => metadataDocumentPolicy(ctx)),

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
    .mutation(({ ctx, input }) => setMetadataDocumentMode(ctx, input.mode)),

  allowHost: permissionProcedure("clients:admin")
    .meta({
      description:
        "Allows a host's client ID metadata documents (what the allow-list mode accepts); replaces a block on it. Needs clients:admin globally and a recent sign-in.",
      stepUp: { action: "allow a host's client metadata documents", raises: ["trusts-client"] },
    })
    .input(hostInput)
    .mutation(({ ctx, input }) => allowMetadataHost(ctx, input.host)),

  blockHost: permissionProcedure("clients:admin")
    .meta({
      description:
        "Blocks a host's client ID metadata documents whatever the mode, and revokes every grant and token its clients hold, for every user. Needs clients:admin globally and a recent sign-in.",
      stepUp: { action: "block a host and revoke its clients' grants", raises: ["destroys-in-bulk"] },
    })
    .input(hostInput)
    .mutation(({ ctx, input }) => blockMetadataHost(ctx, input.host)),

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
    .mutation(({ ctx, input }) => removeMetadataHostRule(ctx, input.host)),
});
