import { z } from "zod";
import { CLIENT_ORIGINS } from "@/db/schema";
import { bulkIdsSchema } from "@/server/bulk";
import { idSchema } from "@/server/ids";
import { CLIENT_TYPES, SECRET_AUTH_METHODS } from "@/server/oauth/clients";
import { METADATA_DOCUMENT_MODES } from "@/server/oauth/metadata-document-policy";
import { isPublicHttpsUrl } from "@/server/oauth/public-url";
import { redirectUriProblem } from "@/server/oauth/redirect-uris";
import { pageInputFields, searchSchema, sortSchema } from "@/server/paging";
import { OAUTH_SCOPES } from "@/server/shared/scopes";

/** The inputs of the clients and client metadata document procedures, shared by the router and the MCP tools. */

const redirectUriSchema = z
  .string("Give a redirect URI.")
  .trim()
  .min(1, "Give a redirect URI.")
  .max(2000, "A redirect URI is at most 2000 characters.")
  .superRefine((value, ctx) => {
    const problem = redirectUriProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const redirectUrisSchema = z
  .array(redirectUriSchema)
  .min(1, "Give at least one redirect URI.")
  .max(20, "A client has at most 20 redirect URIs.")
  .transform((uris) => [...new Set(uris)])
  .describe("Where the authorization server may send the user back; matched exactly (loopback URIs may use any port).");

const scopesSchema = z
  .array(z.enum(OAUTH_SCOPES, `A scope is one of: ${OAUTH_SCOPES.join(", ")}.`))
  .min(1, "Allow at least one scope.")
  .transform((scopes) => OAUTH_SCOPES.filter((scope) => scopes.includes(scope)))
  .describe("The scopes the client may ask for.");

const clientNameSchema = z
  .string("Give the client a name.")
  .trim()
  .min(1, "Give the client a name.")
  .max(100, "A client name is at most 100 characters.")
  .describe("The name users see on the consent page.");

const logoUriSchema = z
  .union([
    z.literal(""),
    z
      .url({ protocol: /^https$/, error: "A logo URL must be an https URL." })
      .max(2000, "A logo URL is at most 2000 characters.")
      .refine(isPublicHttpsUrl, "A logo URL must be on a public host name, not an IP address or an internal name."),
  ])
  .optional()
  .describe("An https URL of the client's logo, shown on the consent page; empty to remove it.");

const clientIdSchema = idSchema("client id").describe("The OAuth client_id.");

export const clientIdInput = z.object({ clientId: clientIdSchema });

export const deleteClientsInput = z.object({ clientIds: bulkIdsSchema("client id", "clients") });

export const createClientInput = z.object({
  name: clientNameSchema,
  type: z.enum(CLIENT_TYPES, 'The type is "public" or "confidential".').describe(
    "public: a browser, desktop or CLI app that cannot keep a secret (PKCE only); confidential: a server that authenticates with a client secret.",
  ),
  redirectUris: redirectUrisSchema,
  scopes: scopesSchema,
  authMethod: z
    .enum(SECRET_AUTH_METHODS, 'The authentication method is "client_secret_basic" or "client_secret_post".')
    .default("client_secret_basic")
    .describe("For a confidential client: send the secret in an HTTP Basic header (client_secret_basic) or in the form (client_secret_post)."),
  domainId: idSchema("domain id")
    .nullable()
    .default(null)
    .describe("The domain that owns the client; null for an installation-wide client (needs clients:write globally)."),
  skipConsent: z
    .boolean()
    .default(false)
    .describe("A trusted first-party client whose users are not asked for consent; needs clients:admin globally and a recent sign-in."),
  logoUri: logoUriSchema,
});

export const updateClientInput = z.object({
  clientId: clientIdSchema,
  name: clientNameSchema.optional(),
  redirectUris: redirectUrisSchema.optional(),
  scopes: scopesSchema.optional(),
  skipConsent: z
    .boolean()
    .optional()
    .describe("Mark the client as trusted first-party (needs clients:admin globally and a recent sign-in), or unmark it (clients:admin)."),
  resourceServer: z
    .boolean()
    .optional()
    .describe(
      "Mark or unmark a confidential client as a resource server, which may introspect tokens issued to other clients; needs clients:admin globally.",
    ),
  logoUri: logoUriSchema,
});

export const CLIENT_SORTS = ["name", "createdAt"] as const;

export const listClientsInput = z
  .object({
    domainId: idSchema("domain id").optional().describe("Only clients owned by this domain."),
    type: z.enum(CLIENT_TYPES).optional().describe("Only public or only confidential clients."),
    status: z.enum(["active", "disabled"]).optional().describe("Only enabled or only disabled clients."),
    origin: z
      .enum(CLIENT_ORIGINS)
      .optional()
      .describe("Only clients registered in the console (console), by dynamic registration (dynamic), or identified by a client ID metadata document (metadata_document)."),
    search: searchSchema.describe("Part of the name or client_id."),
    sort: sortSchema(CLIENT_SORTS, { by: "createdAt", direction: "desc" }),
    ...pageInputFields("client", "clients"),
  })
  .prefault({});

/** A host as an administrator types it, or pasted as a client_id URL: its lower-case host name. */
const hostSchema = z
  .string("Give a host name.")
  .trim()
  .min(1, "Give a host name.")
  .max(300, "Give a host name of at most 253 characters, or a client_id URL of at most 300.")
  .transform((value, ctx) => {
    let url: URL | null = null;
    try {
      url = new URL(value.includes("://") ? value : `https://${value}`);
    } catch {
      url = null;
    }
    const host = url?.hostname.toLowerCase().replace(/\.+$/, "") ?? "";
    const bare = !value.includes("://") && url !== null && (url.pathname !== "/" || url.port !== "" || url.search !== "");
    if (!url || host === "" || host.length > 253 || bare) {
      ctx.addIssue({ code: "custom", message: "Give a host name such as app.example.com, or a client_id URL on that host." });
      return z.NEVER;
    }
    return host;
  })
  .describe("The host whose client ID metadata documents the rule is about, such as app.example.com; a client_id URL on it works too.");

export const hostInput = z.object({ host: hostSchema });
export const setModeInput = z.object({
  mode: z.enum(METADATA_DOCUMENT_MODES, 'The mode is "all", "allowlist" or "off".').describe(
    "all: accept documents from any public https host; allowlist: only from hosts allowed here; off: accept none.",
  ),
});
