import { TRPCError } from "@trpc/server";
import { completions, MAX_COMPLETIONS } from "../resource";
import { definePrompt, userMessage } from "../prompt";
import { auditEventResource } from "../resources/audit-event";
import { userResource } from "../resources/user";
import type { ToolContext } from "../tool";
import { getUser } from "../tools/get-user";
import { listSessionsAndGrants } from "../tools/list-sessions-and-grants";
import { listUsers } from "../tools/list-users";
import { searchAuditLog } from "../tools/search-audit-log";

function notFound(given: string): TRPCError {
  return new TRPCError({
    code: "NOT_FOUND",
    message: `No user you can read has the id or email address “${given}”. Find them with list_users, or complete the argument.`,
  });
}

/** The user an argument names, by id or by exact email address, among those the caller can read. */
async function resolveUser(given: string, context: ToolContext): Promise<{ id: string; email: string }> {
  try {
    const user = await context.caller.users.get({ id: given });
    return { id: user.id, email: user.email };
  } catch (error) {
    if (!(error instanceof TRPCError) || (error.code !== "NOT_FOUND" && error.code !== "BAD_REQUEST")) throw error;
  }
  if (!given.includes("@") || given.length > 100) throw notFound(given);
  const page = await context.caller.users.list({ search: given, limit: MAX_COMPLETIONS });
  const match = page.items.find((user) => user.email.toLowerCase() === given.toLowerCase());
  if (!match) throw notFound(given);
  return { id: match.id, email: match.email };
}

export const investigateUserActivity = definePrompt({
  name: "investigate_user_activity",
  title: "Investigate a user's recent activity",
  description:
    "Has the model gather what one user did and what was done to their account (audit events as actor and as target), their live sessions and OAuth grants, and summarize it as a timeline with anything suspicious flagged, without changing anything.",
  tools: [listUsers, getUser, searchAuditLog, listSessionsAndGrants],
  resources: [userResource, auditEventResource],
  arguments: {
    user: {
      description: "The user's id or email address; completion offers the email addresses of users you can read.",
      required: true,
      async complete(typed, { caller }) {
        const page = await caller.users.list({ search: typed || undefined, limit: MAX_COMPLETIONS });
        return completions(page.items.map((user) => user.email));
      },
    },
  },
  async render(args, context) {
    const user = await resolveUser(args.user?.trim() ?? "", context);
    const profile = await userResource.read(user.id, context);
    const text = [
      `Investigate the recent activity of ${user.email} (user id ${user.id}). Only read: do not ban, revoke or change anything; recommend actions for a person to take.`,
      "",
      `1. Call search_audit_log with actorUserId "${user.id}" for what they did, newest first (sign-ins, failed MFA, changes they made); follow nextCursor as far back as the investigation needs.`,
      `2. Call search_audit_log with targetType "user" and targetId "${user.id}" for what was done to the account: role changes, bans, MFA resets, revocations.`,
      `3. Call list_sessions_and_grants with userId "${user.id}" for their live browser sessions (device, IP address, last seen) and the OAuth clients holding grants.`,
      "4. Read gatehouse://audit/{eventId} for any event you need in full.",
      "",
      "Then summarize as a timeline, newest first, and flag: failed sign-ins or MFA attempts, sign-ins from new IP addresses or devices, privileges gained, MFA removed, grants to unfamiliar clients, and activity after a ban or at unusual hours.",
      "",
      "The account as it stands now is attached.",
    ].join("\n");
    return {
      description: `Investigate the recent activity of ${user.email}.`,
      messages: [
        userMessage(text),
        {
          role: "user",
          content: {
            type: "resource",
            resource: { uri: `gatehouse://users/${encodeURIComponent(user.id)}`, mimeType: "application/json", text: JSON.stringify(profile) },
          },
        },
      ],
    };
  },
});
