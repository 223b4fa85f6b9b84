import { z } from "zod";
import { defineTool } from "../tool";
import { READ_ANNOTATIONS } from "./shapes";

export const whoami = defineTool("whoami", {
  annotations: READ_ANNOTATIONS,
  inputSchema: {},
  outputSchema: {
    user: z
      .object({
        id: z.string().describe("The user's id."),
        email: z.string().describe("The sign-in email address."),
        name: z.string().describe("The display name."),
        isOwner: z.boolean().describe("Whether the user holds the owner role."),
      })
      .describe("The signed-in user."),
    clientId: z.string().describe("The OAuth client this token was issued to."),
    scopes: z.array(z.string()).describe("The scopes the access token carries."),
    domains: z
      .array(
        z.object({
          id: z.string().describe("The domain's id."),
          name: z.string().describe("The domain's name."),
          slug: z.string().describe("The domain's unique URL name."),
        }),
      )
      .describe("Domains the user belongs to."),
    permissions: z
      .object({
        global: z.array(z.string()).describe("Permissions held in every domain."),
        byDomain: z
          .record(z.string(), z.array(z.string()))
          .describe("Further permissions held only in a domain, keyed by domain id."),
      })
      .describe("Effective role permissions: held everywhere, and held only in a domain (by domain id)."),
  },
  async run(_input, { caller, clientId, scopes }) {
    const [user, domains, permissions] = await Promise.all([caller.me.get(), caller.me.domains(), caller.me.permissions()]);
    return { user, clientId, scopes: [...scopes], domains, permissions };
  },
});
