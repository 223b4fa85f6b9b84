import { z } from "zod";
import { MCP_SCOPES, TOOL_OFFERS, gateAllowed } from "@/server/mcp/catalog";
import { authIssuer, mcpResourceUrl, protectedResourceMetadataUrl } from "@/server/oauth/config";
import { SCOPE_DESCRIPTIONS } from "@/server/shared/scopes";
import { router } from "@/server/trpc/init";
import { protectedProcedure } from "@/server/trpc/procedures";

const previewToolsInput = z.object({
  scopes: z.array(z.enum(MCP_SCOPES)).max(MCP_SCOPES.length).describe("The MCP scopes an access token would carry."),
});

/** Personal: what any signed-in user needs to point an MCP client at Gatehouse, and what it would show them. */
export const mcpRouter = router({
  connection: protectedProcedure
    .meta({
      description:
        "Where MCP clients connect: the MCP endpoint, its OAuth protected resource metadata, the authorization server's issuer and the MCP scopes with what each allows.",
      can: false,
    })
    .query(({ ctx }) => {
      const publicUrl = String(ctx.auth.options.baseURL);
      return {
        mcpUrl: mcpResourceUrl(publicUrl),
        resourceMetadataUrl: protectedResourceMetadataUrl(publicUrl),
        issuer: authIssuer(publicUrl),
        scopes: MCP_SCOPES.map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope] })),
      };
    }),

  previewTools: protectedProcedure
    .meta({
      description:
        "The MCP tools an access token with these scopes would list for the signed-in user, in tools/list order: a tool shows when the token has its scope and the user's roles hold its permissions.",
      can: false,
    })
    .input(previewToolsInput)
    .query(async ({ ctx, input }) => {
      const authority = await ctx.authority();
      return TOOL_OFFERS.filter((tool) => gateAllowed(tool, input.scopes, authority)).map(({ name, title, description, scope }) => ({
        name,
        title,
        description,
        scope,
      }));
    }),
});
