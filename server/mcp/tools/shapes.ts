import { z } from "zod";
import { CLIENT_ORIGINS, MFA_POLICIES } from "@/db/schema";
import type { DomainItem } from "@/server/authz/domains";
import { CLIENT_TYPES, type ClientItem } from "@/server/oauth/clients";

/**
 * Output pieces several tools share. Structured content travels as JSON, so the routers' Date
 * objects leave as ISO 8601 strings and are typed as strings here.
 */

export const READ_ANNOTATIONS = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

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
  return {
    id: item.id,
    name: item.name,
    slug: item.slug,
    description: item.description,
    mfaPolicy: item.mfaPolicy,
    emailDomains: item.emailDomains,
    memberCount: item.memberCount,
    createdAt: iso(item.createdAt),
  };
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
  return {
    clientId: item.clientId,
    name: item.name,
    type: item.type,
    redirectUris: item.redirectUris,
    scopes: item.scopes,
    domainId: item.domainId,
    domainName: item.domainName,
    origin: item.origin,
    disabled: item.disabled,
    skipConsent: item.skipConsent,
    createdAt: iso(item.createdAt),
  };
}

export const userRoleOutput = z.object({
  roleId: z.string().describe("The role's id."),
  roleName: z.string().describe("The role's name."),
  domainId: z.string().nullable().describe("The domain the role applies in; null when held globally."),
  domainName: z.string().nullable().describe("That domain's name; null when held globally."),
});

export const revocationOutput = {
  accessTokensRevoked: z.number().describe("Access tokens that stopped working."),
  refreshTokensRevoked: z.number().describe("Refresh tokens that were revoked."),
  consentsRevoked: z.number().describe("Remembered consents that were forgotten (the user is asked again)."),
};
