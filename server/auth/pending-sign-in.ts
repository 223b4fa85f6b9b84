import type { GenericEndpointContext } from "better-auth";

/** The user a pending two-factor sign-in belongs to, from the plugin's signed challenge cookie; "" when there is none. */
export async function pendingSignInUserId(ctx: GenericEndpointContext): Promise<string> {
  const cookie = ctx.context.createAuthCookie("two_factor");
  const identifier = await ctx.getSignedCookie(cookie.name, ctx.context.secret);
  if (!identifier) return "";
  const pending = await ctx.context.internalAdapter.findVerificationValue(identifier);
  return pending?.value ?? "";
}
