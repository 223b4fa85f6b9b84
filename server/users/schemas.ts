import { z } from "zod";
import { displayNameSchema, emailSchema, passwordSchema } from "@/server/validation/password";
import { cursorInputSchema } from "@/server/paging";

/** Inputs of the users router, shared with the MCP tools that call it. */

export const idSchema = z
  .string("Give an id.")
  .min(1, "Give an id.")
  .max(100, "An id is at most 100 characters.");

export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 100;

export const listUsersInput = z
  .object({
    search: z
      .string()
      .trim()
      .max(100, "Search for at most 100 characters.")
      .optional()
      .describe("Part of an email address or name, matched case-insensitively."),
    domainId: idSchema.optional().describe("Only users who hold a role in this domain."),
    roleId: idSchema
      .optional()
      .describe("Only users who hold this role in a scope you can read users in (in `domainId` when given)."),
    cursor: cursorInputSchema,
    limit: z
      .number()
      .int("The page size is a whole number.")
      .min(1, "Ask for at least 1 user per page.")
      .max(PAGE_SIZE_MAX, `Ask for at most ${PAGE_SIZE_MAX} users per page.`)
      .default(PAGE_SIZE_DEFAULT)
      .describe(`Users per page, 1 to ${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT}).`),
  })
  .prefault({});

export type ListUsersInput = z.output<typeof listUsersInput>;

export const userIdInput = z.object({ id: idSchema.describe("The user's id.") });

const placement = {
  roleId: idSchema
    .optional()
    .describe("The role the new account gets in the target scope; the built-in member role when omitted."),
  domainId: idSchema
    .optional()
    .describe("The domain the new account joins with that role; the global scope when omitted."),
};

export const createUserInput = z.object({
  email: emailSchema.describe("The sign-in email address; stored in lower case."),
  name: displayNameSchema.describe("The display name."),
  password: passwordSchema.describe("The initial password: 12 to 128 characters and not a common one."),
  ...placement,
});

export const inviteUserInput = z.object({
  email: emailSchema.describe("The invitee's email address; stored in lower case."),
  name: displayNameSchema.describe("The display name."),
  ...placement,
});

export const updateUserInput = z.object({
  id: idSchema.describe("The user's id."),
  name: displayNameSchema.describe("The new display name."),
});

export const banUserInput = z.object({
  id: idSchema.describe("The user's id."),
  reason: z
    .string()
    .trim()
    .max(500, "Keep the reason under 500 characters.")
    .optional()
    .describe("Why the account is suspended, shown to administrators."),
});

export const acceptInvitationInput = z.object({
  password: passwordSchema,
  name: displayNameSchema.optional(),
});
