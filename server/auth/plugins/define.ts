import type { BetterAuthPlugin } from "better-auth";
import { createAuthMiddleware } from "better-auth/api";

/** One entry of a plugin's `hooks.before` or `hooks.after`, as better-auth runs it. */
export type PluginHook = NonNullable<NonNullable<BetterAuthPlugin["hooks"]>["before"]>[number];

/** What a hook's matcher is asked about: the request's path, body and headers, before the endpoint runs. */
type MatcherContext = Parameters<PluginHook["matcher"]>[0];

/** What a hook runs: better-auth's endpoint context in, and (after the endpoint) `ctx.context.returned` to read or replace. */
export type HookHandler = Parameters<typeof createAuthMiddleware>[0];

/** The context a hook handler receives. */
export type HookContext = Parameters<HookHandler>[0];

/**
 * Which requests a hook sees: one endpoint path, a set (or map) of paths, or a test of the request.
 * A path is compared exactly, so `/sign-up/email` does not see `/sign-up/email/resend`.
 */
export type HookMatcher = string | { has(path: string): boolean } | ((ctx: MatcherContext) => boolean);

function matcherOf(matcher: HookMatcher): PluginHook["matcher"] {
  if (typeof matcher === "function") return matcher;
  // better-auth leaves `path` unset for calls that name no endpoint; those match no path.
  if (typeof matcher === "string") return (ctx) => ctx.path === matcher;
  return (ctx) => ctx.path !== undefined && matcher.has(ctx.path);
}

/** One hook: which requests it sees, and what it does with them. */
export function hook(matcher: HookMatcher, handler: HookHandler): PluginHook {
  return { matcher: matcherOf(matcher), handler: createAuthMiddleware(handler) };
}

/** A plugin's parts besides its hooks (init, endpoints, schema, rateLimit, $ERROR_CODES, options…), as better-auth types them. */
type PluginDefinition = Omit<BetterAuthPlugin, "hooks"> & { before?: PluginHook[]; after?: PluginHook[] };

/**
 * A better-auth plugin stated as its id, its hooks and whatever else it declares. The other parts keep
 * the types they are written with (endpoints, options), so `auth.api` and the plugin's readers still see them.
 */
export function authPlugin<const Definition extends PluginDefinition>(definition: Definition) {
  const { before = [], after = [], ...parts } = definition;
  return { ...parts, hooks: { before, after } } satisfies BetterAuthPlugin;
}
