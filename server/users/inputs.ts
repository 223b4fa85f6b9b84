import { z } from "zod";
import { bulkIdsSchema } from "@/server/bulk";
import { idSchema } from "@/server/ids";
import { pageInputFields, searchSchema, sortSchema } from "@/server/paging";
import { displayNameSchema, emailSchema, passwordSchema } from "@/server/validation/password";

/** Inputs of the users router, shared with the MCP tools that call it. */

/** The columns the users list sorts by; "lastSignIn" puts accounts that never signed in first (asc). */
export const USER_SORTS = ["email", "name", "createdAt", "lastSignIn"] as const;

export const listUsersInput = z
  .object({
    search: searchSchema.describe("Part of an email address or name, matched case-insensitively."),
    domainId: idSchema("domain id").optional().describe("Only users who hold a role in this domain."),
    roleId: idSchema("role id")
      .optional()
      .describe("Only users who hold this role in a scope you can read users in (in `domainId` when given)."),
    sort: sortSchema(USER_SORTS, { by: "email", direction: "asc" }),
    mfa: z
      .enum(["missing"], { error: 'The only second-factor filter is "missing".' })
      .optional()
      .describe('"missing": only users whose roles or domains require a second factor and who have none.'),
    ...pageInputFields("user", "users"),
  })
  .prefault({});

export type ListUsersInput = z.output<typeof listUsersInput>;

const userId = idSchema("user id").describe("The user's id.");

export const userIdInput = z.object({ id: userId });

const placement = {
  roleId: idSchema("role id")
    .optional()
    .describe("The role the new account gets in the target scope; the built-in member role when omitted."),
  domainId: idSchema("domain id")
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
  id: userId,
  name: displayNameSchema.describe("The new display name."),
});

export const banUserInput = z.object({
  id: userId,
  reason: z
    .string()
    .trim()
    .max(500, "Keep the reason under 500 characters.")
    .optional()
    .describe("Why the account is suspended, shown to administrators."),
});

export const banUsersInput = z.object({
  ids: bulkIdsSchema("user id", "users"),
  reason: banUserInput.shape.reason,
});

export const acceptInvitationInput = z.object({
  password: passwordSchema,
  name: displayNameSchema.optional(),
});
