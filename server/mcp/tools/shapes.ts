import { z } from "zod";
import { ACTOR_VIA, CLIENT_ORIGINS, MFA_POLICIES } from "@/db/schema";
import { AUDIT_RESULTS } from "@/server/audit/outcome";
import type { AuditListItem } from "@/server/audit/queries";
import type { DomainItem } from "@/server/domains/queries";
import type { RevocationCounts } from "@/server/grants/revocation";
import { CLIENT_TYPES, type ClientItem } from "@/server/oauth/clients";
import type { Caller, ToolHandler } from "../tool";

/**
 * Output pieces several tools share. Structured content travels as JSON, so the routers' Date
 * objects leave as ISO 8601 strings and are typed as strings here.
 */

// The four kinds of tool Gatehouse has, as MCP annotations: a client decides from these whether to
// ask its user before a call, so each tool names its kind instead of spelling out four flags.
// None reaches outside Gatehouse (openWorldHint false).
/** Reads only; calling it again answers the same. */
export const READ_ANNOTATIONS = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
/** Creates something new; a second call creates a second one. */
export const CREATE_ANNOTATIONS = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;
/** Changes or adds without taking anything away; a second call with the same input changes nothing more. */
export const UPDATE_ANNOTATIONS = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
/** Takes something away (access, a role, a client's use); a second call with the same input changes nothing more. */
export const DESTRUCTIVE_ANNOTATIONS = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false } as const;

export function iso(date: Date): string {
  return date.toISOString();
}

export function isoOrNull(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

export const nextCursorOutput = z
  .string()
  .nullable()
  .describe("Pass this as cursor to get the next page; null on the last page.");

export const domainOutput = z.object({
  id: z.string().describe("The domain's id, for the domainId inputs of other tools."),
  name: z.string().describe("The display name."),
  slug: z.string().describe("The unique URL name."),
  description: z.string().describe("What the domain is for; empty when not given."),
  mfaPolicy: z.enum(MFA_POLICIES).describe('Whether members must use MFA: "off", "optional" or "required".'),
  emailDomains: z.array(z.string()).describe("Host names whose new sign-ups join this domain."),
  memberCount: z.number().describe("How many users hold any role in the domain."),
  createdAt: z.string().describe("When the domain was created (ISO 8601)."),
});

export function toDomainOutput(item: DomainItem): z.input<typeof domainOutput> {
  return outputOf(domainOutput, item);
}

export const clientOutput = z.object({
  clientId: z.string().describe("The OAuth client_id, for the clientId inputs of other tools."),
  name: z.string().describe("The name users see on the consent page."),
  type: z.enum(CLIENT_TYPES).describe('"public" (PKCE only) or "confidential" (authenticates with a secret).'),
  redirectUris: z.array(z.string()).describe("The exact redirect URIs the client may use."),
  scopes: z.array(z.string()).describe("The scopes the client may ask for."),
  domainId: z.string().nullable().describe("The owning domain's id; null for an installation-wide client."),
  domainName: z.string().nullable().describe("The owning domain's name; null for an installation-wide client."),
  origin: z.enum(CLIENT_ORIGINS).describe('How it was registered: "console" (by an administrator) or "dynamic" (RFC 7591).'),
  disabled: z.boolean().describe("Whether the client is disabled (its tokens do not work)."),
  skipConsent: z.boolean().describe("Whether it is a trusted first-party client whose users are not asked for consent."),
  createdAt: z.string().describe("When the client was registered (ISO 8601)."),
});

export function toClientOutput(item: ClientItem): z.input<typeof clientOutput> {
  return outputOf(clientOutput, item);
}

/**
 * A row as a tool outputs it: exactly the fields its schema declares (nothing else the row carries,
 * such as its `can` flags), dates as ISO 8601 strings. The row must have every declared field, so a
 * renamed column fails the type check rather than the call.
 */
export function outputOf<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  item: { readonly [Key in keyof Shape]: unknown },
): z.input<z.ZodObject<Shape>> {
  const fields = item as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(schema.shape).map((key) => {
      const value = fields[key];
      return [key, value instanceof Date ? iso(value) : value];
    }),
  ) as z.input<z.ZodObject<Shape>>;
}

/**
 * The handler of a tool that answers one page of a list: the page's rows under `key`, each shaped
 * by `toOutput`, and the cursor of the next page.
 */
export function pageTool<Input extends z.ZodRawShape, Key extends string, Item, Row extends z.ZodType>(options: {
  inputSchema: Input;
  key: Key;
  row: Row;
  /** What the list holds, for the output's description: "One page of domains." */
  description: string;
  list: (caller: Caller, input: z.output<z.ZodObject<Input>>) => Promise<{ items: Item[]; nextCursor: string | null }>;
  toOutput: (item: Item) => z.input<Row>;
}): ToolHandler<Input, Record<Key, z.ZodArray<Row>> & { nextCursor: typeof nextCursorOutput }> {
  const { inputSchema, key, row, description, list, toOutput } = options;
  return {
    annotations: READ_ANNOTATIONS,
    inputSchema,
    outputSchema: { [key]: z.array(row).describe(description), nextCursor: nextCursorOutput } as Record<Key, z.ZodArray<Row>> & {
      nextCursor: typeof nextCursorOutput;
    },
    async run(input, { caller }) {
      const page = await list(caller, input);
      return { [key]: page.items.map(toOutput), nextCursor: page.nextCursor } as never;
    },
  };
}

export const userRoleOutput = z.object({
  roleId: z.string().describe("The role's id."),
  roleName: z.string().describe("The role's name."),
  domainId: z.string().nullable().describe("The domain the role applies in; null when held globally."),
  domainName: z.string().nullable().describe("That domain's name; null when held globally."),
});

/** A role assignment as assign_role and unassign_role answer it: the assignment's id and what it joins. */
export function toAssignmentOutput(assignment: { id: string; userId: string; roleId: string; domainId: string | null }) {
  return { assignmentId: assignment.id, userId: assignment.userId, roleId: assignment.roleId, domainId: assignment.domainId };
}

export const revocationOutput = {
  accessTokensRevoked: z.number().describe("Access tokens that stopped working."),
  refreshTokensRevoked: z.number().describe("Refresh tokens that were revoked."),
  consentsRevoked: z.number().describe("Remembered consents that were forgotten (the user is asked again)."),
};

export function toRevocationOutput(counts: RevocationCounts): { [Key in keyof typeof revocationOutput]: number } {
  return { accessTokensRevoked: counts.accessTokens, refreshTokensRevoked: counts.refreshTokens, consentsRevoked: counts.consents };
}

export const auditEventOutput = z.object({
  id: z.string().describe("The event's id."),
  at: z.string().describe("When it happened (ISO 8601)."),
  action: z.string().describe('What happened, such as "role.assigned".'),
  actorUserId: z.string().nullable().describe("Who caused it; null for the system."),
  actorEmail: z.string().nullable().describe("That user's email address; null for the system or a deleted user."),
  actorVia: z.enum(ACTOR_VIA).describe('How: "web" (console), "mcp" (these tools), "oauth" or "system".'),
  clientId: z.string().nullable().describe("The OAuth client the call came through, for MCP calls."),
  clientName: z.string().nullable().describe("That client's name; null when none or deleted."),
  result: z.enum(AUDIT_RESULTS).describe('"failure" for a refusal or failure (a failed sign-in, a denied consent, an MCP call that failed), else "success".'),
  targetType: z.string().nullable().describe('The kind of object it is about, such as "user" or "client".'),
  targetId: z.string().nullable().describe("The id of that object."),
  domainId: z.string().nullable().describe("The domain it is filed under; null for installation-wide events."),
  domainName: z.string().nullable().describe("That domain's name; null when none or deleted."),
  ip: z.string().nullable().describe("The IP address the request came from, when known."),
  userAgent: z.string().nullable().describe("The client's user agent, when known."),
  details: z.record(z.string(), z.unknown()).describe("Facts about the change, such as before and after values."),
});

export function toAuditEventOutput(event: AuditListItem): z.input<typeof auditEventOutput> {
  return {
    id: event.id,
    at: iso(event.at),
    action: event.action,
    actorUserId: event.actorUserId,
    actorEmail: event.actorEmail,
    actorVia: event.actorVia,
    clientId: event.clientId,
    clientName: event.clientName,
    result: event.result,
    targetType: event.targetType,
    targetId: event.targetId,
    domainId: event.domainId,
    domainName: event.domainName,
    ip: event.ip,
    userAgent: event.userAgent,
    details: event.details,
  };
}
