import { z } from "zod";
import { listUsersInput } from "@/server/users/inputs";
import { defineTool } from "../tool";
import { READ_ANNOTATIONS, iso, nextCursorOutput, userRoleOutput } from "./shapes";

export const listUsers = defineTool("list_users", {
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
