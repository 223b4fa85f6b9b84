import { TRPCError } from "@trpc/server";
import { definePrompt, userMessage } from "../prompt";
import { auditEventResource } from "../resources/audit-event";
import { searchAuditLog } from "../tools/search-audit-log";

const DEFAULT_HOURS = 24;
const MAX_HOURS = 24 * 30;

/** The audit actions that matter to security, grouped the way the model should look at them. */
const WATCHED = [
  ["Failed authentication", "auth.sign_in_failed, auth.mfa_failed, auth.mfa_locked, auth.step_up_failed, oauth.authorize_failed, oauth.token_failed"],
  ["Stolen or replayed credentials", "oauth.code_replayed, oauth.refresh_token_reused"],
  ["Privilege changes", 'role.assigned, role.unassigned, role.created, role.updated, role.deleted (the prefix "role." finds them all)'],
  ["Account takeovers and lockouts", "user.mfa_reset, user.banned, user.unbanned, user.deleted, auth.password_reset_completed, auth.passkey_added, auth.passkey_removed"],
  ["Clients", "client.created, client.registered, client.trusted, client.secret_rotated, client.updated, client.enabled"],
  ["Mass revocations", "user.access_revoked, client.access_revoked"],
] as const;

function hoursOf(given: string | undefined): number {
  if (given === undefined || given.trim() === "") return DEFAULT_HOURS;
  const hours = Number(given.trim());
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_HOURS) {
    throw new TRPCError({ code: "BAD_REQUEST", message: `Give hours as a whole number from 1 to ${MAX_HOURS}, or leave it out for ${DEFAULT_HOURS}.` });
  }
  return hours;
}

export const auditRecentSecurityEvents = definePrompt({
  name: "audit_recent_security_events",
  title: "Audit recent security events",
  description:
    "Has the model search the audit log of the last hours (24 unless given) for failed authentication, replayed credentials, privilege changes, account takeovers, client changes and mass revocations, and report them grouped by concern, without changing anything.",
  tools: [searchAuditLog],
  resources: [auditEventResource],
  arguments: {
    hours: { description: `How far back to look, in hours: a whole number from 1 to ${MAX_HOURS} (default ${DEFAULT_HOURS}).`, required: false },
  },
  async render(args) {
    const hours = hoursOf(args.hours);
    const from = new Date(Date.now() - hours * 3600_000).toISOString();
    const text = [
      `Review the security-relevant events in Gatehouse's audit log since ${from} (the last ${hours} hour${hours === 1 ? "" : "s"}). Only read: do not change anything; recommend actions for a person to take.`,
      "",
      `Call search_audit_log with from "${from}" and, for each group below, the action (or the action prefix ending in ".") it names; follow nextCursor until the pages end. Read gatehouse://audit/{eventId} for an event you need in full.`,
      ...WATCHED.map(([group, actions]) => `- ${group}: ${actions}`),
      "",
      "Report per group: how many events, who (actorEmail), from where (ip, userAgent, clientId), and what stands out: bursts of failures against one account, privileges given outside working hours or by someone who rarely does so, a client made trusted, a refresh token reused. Say which groups had nothing.",
      "",
      "You see only the events of the domains your roles let you read; say so in the report if that limits it.",
    ].join("\n");
    return { description: `Security events of the last ${hours} hours.`, messages: [userMessage(text)] };
  },
});
