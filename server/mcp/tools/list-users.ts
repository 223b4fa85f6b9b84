import { z } from "zod";
import { listUsersInput } from "@/server/users/schemas";
import { defineTool } from "../tool";
import { READ_ANNOTATIONS, iso, nextCursorOutput, userRoleOutput } from "./shapes";

export const listUsers = defineTool({
  name: "list_users",
  title: "List users",
  description:
    "Lists the users you can read, ordered by email, with their roles; filter by a search text, a domainId (from list_domains) or a roleId (from list_roles). Results come a page at a time: pass the returned nextCursor as cursor for the next page. Use the ids with get_user and the other user tools.",
  scope: "mcp:read",
  permissions: ["users:read"],
  annotations: READ_ANNOTATIONS,
  inputSchema: listUsersInput.unwrap().shape,
  outputSchema: {
    users: z
      .array(
        z.object({
          id: z.string().describe("The user's id."),
          email: z.string().describe("The sign-in email address."),
          name: z.string().describe("The display name."),
          emailVerified: z.boolean().describe("Whether the email address has been verified."),
          banned: z.boolean().describe("Whether the account is suspended."),
          createdAt: z.string().describe("When the account was created (ISO 8601)."),
          roles: z.array(userRoleOutput).describe("The user's roles in the scopes you can read users in."),
        }),
      )
      .describe("One page of users."),
    nextCursor: nextCursorOutput,
  },
  async run(input, { caller }) {
    const page = await caller.users.list(input);
    return {
      users: page.items.map((user) => ({
        id: user.id,
        email: user.email,
        name: user.name,
        emailVerified: user.emailVerified,
        banned: user.banned,
        createdAt: iso(user.createdAt),
        roles: user.roles.map(({ roleId, roleName, domainId, domainName }) => ({ roleId, roleName, domainId, domainName })),
      })),
      nextCursor: page.nextCursor,
    };
  },
});
