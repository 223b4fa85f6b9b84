import { z } from "zod";
import { MFA_POLICIES } from "@/db/schema";
import { idSchema } from "@/server/ids";
import { pageInputFields, searchSchema, sortSchema } from "@/server/paging";

/** The inputs of the domains router, shared with the MCP tools over it. */

const MAX_EMAIL_DOMAINS = 20;

const domainId = idSchema("domain id").describe("The domain's id.");

const domainNameSchema = z
  .string("Give the domain a name.")
  .trim()
  .min(1, "Give the domain a name.")
  .max(100, "A domain name is at most 100 characters.");

const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const slugSchema = z
  .string("Give the domain a slug.")
  .trim()
  .toLowerCase()
  .min(1, "Give the domain a slug.")
  .max(63, "A slug is at most 63 characters.")
  .regex(
    SLUG_PATTERN,
    "A slug uses lowercase letters, digits and hyphens, and starts and ends with a letter or digit (for example acme-eu).",
  );

const descriptionSchema = z.string().trim().max(1000, "A description is at most 1000 characters.");

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A DNS host name with at least two labels. A numeric last label is refused because no top-level
 * domain is numeric, which also keeps IPv4 addresses out.
 */
function isEmailDomainName(value: string): boolean {
  if (value.length > 253) return false;
  const labels = value.split(".");
  if (labels.length < 2) return false;
  if (!labels.every((label) => DNS_LABEL.test(label))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1] ?? "");
}

const emailDomainSchema = z
  .string("An email domain is a host name such as example.com.")
  .trim()
  .toLowerCase()
  .max(253, "An email domain is at most 253 characters.")
  .refine(isEmailDomainName, {
    error: (issue) =>
      `“${String(issue.input)}” is not a valid email domain; write a host name such as example.com (no @, no spaces, international names in their xn-- form).`,
  });

const emailDomainsSchema = z
  .array(emailDomainSchema)
  .max(MAX_EMAIL_DOMAINS, `A domain can claim at most ${MAX_EMAIL_DOMAINS} email domains.`)
  .transform((values) => [...new Set(values)].sort());

const mfaPolicySchema = z.enum(MFA_POLICIES, 'The MFA policy is "off", "optional" or "required".');

export const DOMAIN_SORTS = ["slug", "name", "createdAt"] as const;

export const listDomainsInput = z
  .object({
    search: searchSchema.describe("Part of a domain's name or slug, matched case-insensitively."),
    sort: sortSchema(DOMAIN_SORTS, { by: "slug", direction: "asc" }),
    ...pageInputFields("domain", "domains"),
  })
  .prefault({});

export const domainIdInput = z.object({ id: domainId });

export const createDomainInput = z.object({
  name: domainNameSchema.describe("The display name, 1 to 100 characters."),
  slug: slugSchema.describe("The unique URL name: lowercase letters, digits and inner hyphens, at most 63 characters."),
  description: descriptionSchema.optional().describe("What the domain is for, at most 1000 characters."),
  emailDomains: emailDomainsSchema
    .optional()
    .describe(
      `Host names (such as example.com) whose new sign-ups join this domain; at most ${MAX_EMAIL_DOMAINS}, each claimed by one domain only. Needs domains:admin.`,
    ),
  mfaPolicy: mfaPolicySchema
    .optional()
    .describe('Whether members must use MFA: "off", "optional" (default) or "required". Anything but the default needs domains:admin.'),
});

export const updateDomainInput = z.object({
  id: domainId,
  name: domainNameSchema.optional().describe("The new display name."),
  slug: slugSchema.optional().describe("The new unique URL name."),
  description: descriptionSchema.optional().describe("The new description; an empty string clears it."),
  emailDomains: emailDomainsSchema
    .optional()
    .describe("The complete new set of claimed email domains (replaces the old set). Changing it needs domains:admin."),
  mfaPolicy: mfaPolicySchema.optional().describe("The new MFA policy. Changing it needs domains:admin."),
});

export const deleteDomainInput = z.object({
  id: domainId,
  cascade: z
    .boolean()
    .default(false)
    .describe("Also remove every role assignment and email domain of the domain. Without it, only an empty domain can be deleted."),
});

export const listMembersInput = z.object({
  id: domainId,
  search: searchSchema.describe("Part of a member's email address or name, matched case-insensitively."),
  ...pageInputFields("member", "members"),
});
