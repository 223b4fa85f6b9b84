import { z } from "zod";
import { userIdInput } from "@/server/users/inputs";
import { defineTool } from "../tool";
import { READ_ANNOTATIONS, iso, isoOrNull, userRoleOutput } from "./shapes";

export const getUser = defineTool("get_user", {
  annotations: READ_ANNOTATIONS,
  inputSchema: userIdInput.shape,
  outputSchema: {
    id: z.string().describe("The user's id."),
    email: z.string().describe("The sign-in email address."),
    name: z.string().describe("The display name."),
    emailVerified: z.boolean().describe("Whether the email address has been verified."),
    createdAt: z.string().describe("When the account was created (ISO 8601)."),
    roles: z
      .array(userRoleOutput.extend({ assignmentId: z.string().describe("The role assignment's id.") }))
      .describe("The user's role assignments in the scopes you can read users in, oldest first."),
    activeSessions: z.number().describe("Browser sessions that have not expired."),
    mfa: z
      .object({
        enrolled: z.boolean().describe("Whether any second factor is enrolled."),
        methods: z.array(z.string()).describe('The enrolled second factors, such as "totp" or "passkey".'),
      })
      .describe("Multi-factor authentication status."),
    banned: z
      .object({
        reason: z.string().describe("Why the account was suspended; may be empty."),
        bannedAt: z.string().describe("When it was suspended (ISO 8601)."),
        bannedByEmail: z.string().nullable().describe("Who suspended it; null if that account no longer exists."),
      })
      .nullable()
      .describe("The suspension, or null when the account is not banned."),
    hasPassword: z.boolean().describe("Whether the account has a password (an invitee has none until accepting)."),
    invitationPending: z.boolean().describe("Whether the user was invited and has not accepted yet."),
    invitationExpiresAt: z.string().nullable().describe("When the pending invitation link expires (ISO 8601); null without one."),
  },
  async run(input, { caller }) {
    const user = await caller.users.get(input);
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      emailVerified: user.emailVerified,
      createdAt: iso(user.createdAt),
      roles: user.roles.map((role) => ({
        assignmentId: role.assignmentId,
        roleId: role.roleId,
        roleName: role.roleName,
        domainId: role.domainId,
        domainName: role.domainName,
      })),
      activeSessions: user.sessionsCount,
      mfa: { enrolled: user.mfa.enrolled, methods: user.mfa.methods },
      banned: user.banned
        ? { reason: user.banned.reason, bannedAt: iso(user.banned.bannedAt), bannedByEmail: user.banned.bannedByEmail }
        : null,
      hasPassword: user.hasPassword,
      invitationPending: user.invitationPending,
      invitationExpiresAt: isoOrNull(user.invitationExpiresAt),
    };
  },
});
