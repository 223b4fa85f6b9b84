import type { GenericEndpointContext } from "@better-auth/core";
import type { OAuthOptions, SchemaClient, Scope } from "@better-auth/oauth-provider";
import { registerClientMetadataDocument } from "@better-auth/oauth-provider/internal";
import { APIError, getSessionFromCtx, isAPIError } from "better-auth/api";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { clientRegistration } from "@/db/schema";
import { recordEvent, requestOrigin, type AuditActor } from "@/server/audit/record";
import { REGISTRATION_DEFAULT_SCOPES } from "./config";
import { fetchMetadataDocument, MetadataDocumentError, type MetadataFetchOptions } from "./metadata-document-fetch";
import {
  clientIdUrlProblem,
  METADATA_DOCUMENT_DISCOVERY_ID,
  metadataDocumentExpiresAt,
  hostOfClientId,
  validateMetadataDocument,
  type MetadataDocument,
} from "./metadata-documents";
import { metadataDocumentRefusal } from "./metadata-document-policy";
import { storedStringArray } from "./stored";

type StoredClient = SchemaClient<Scope[]>;

/** Fetch starts per host per minute in this process, so that client ids cannot make Gatehouse hammer a host. */
export const METADATA_FETCHES_PER_HOST_PER_MINUTE = 30;
const BUDGET_WINDOW_MS = 60_000;
const MAX_TRACKED_HOSTS = 1000;

/** How metadata documents are fetched, and how often one host's may be. */
export interface MetadataDocumentSettings extends MetadataFetchOptions {
  /** Fetch starts per host per minute in this process (default METADATA_FETCHES_PER_HOST_PER_MINUTE). */
  fetchesPerHostPerMinute?: number;
}

export interface MetadataDocumentClientsOptions {
  db: Database;
  fetch?: MetadataDocumentSettings;
  now?: () => Date;
}

/** The `invalid_client` (or `temporarily_unavailable`) answer every endpoint gives for a document it cannot use. */
export function metadataDocumentApiError(error: MetadataDocumentError, status: "BAD_REQUEST" | "TOO_MANY_REQUESTS" = "BAD_REQUEST"): APIError {
  return new APIError(status, {
    error: status === "TOO_MANY_REQUESTS" ? "temporarily_unavailable" : "invalid_client",
    error_description: error.message,
  });
}

class FetchBudgetExceeded extends MetadataDocumentError {}

/** Who set off a fetch: the person signed in to the browser that was sent to authorize, if any. */
async function actorOf(ctx: GenericEndpointContext, clientId: string): Promise<AuditActor> {
  const session = await getSessionFromCtx(ctx).catch(() => null);
  return {
    userId: session?.user.id ?? null,
    via: "oauth",
    clientId,
    ...(ctx.headers ? requestOrigin(ctx.headers) : { ip: null, userAgent: null }),
  };
}

/** What the console and audit log show of a client, to tell when a new fetch changed it. */
function describe(client: Pick<StoredClient, "name" | "redirectUris" | "scopes" | "icon">) {
  return {
    name: client.name ?? null,
    redirectUris: storedStringArray(client.redirectUris),
    scopes: storedStringArray(client.scopes),
    logoUri: client.icon ?? null,
  };
}

/**
 * Turns an https `client_id` into a client of the OAuth provider: checks the administrator's policy on
 * every lookup, uses the stored client while its document is fresh, and otherwise fetches the
 * document, validates it and stores it through the provider's own persistence seam
 * (`registerClientMetadataDocument`), with Gatehouse's registration row and an audit event for the
 * first use and for every change.
 */
export function createMetadataDocumentClients({ db, fetch: fetchOptions = {}, now = () => new Date() }: MetadataDocumentClientsOptions) {
  const inFlight = new Map<string, Promise<StoredClient>>();
  const fetchStarts = new Map<string, number[]>();
  const allowLoopback = fetchOptions.testLoopback !== undefined;
  const budget = fetchOptions.fetchesPerHostPerMinute ?? METADATA_FETCHES_PER_HOST_PER_MINUTE;

  function claimFetch(host: string): void {
    const at = Date.now();
    const recent = (fetchStarts.get(host) ?? []).filter((start) => at - start < BUDGET_WINDOW_MS);
    if (recent.length >= budget) {
      throw new FetchBudgetExceeded(`Gatehouse fetched metadata documents from ${host} too often in the last minute. Try again in a minute.`);
    }
    fetchStarts.delete(host);
    if (fetchStarts.size >= MAX_TRACKED_HOSTS) fetchStarts.delete(fetchStarts.keys().next().value!);
    fetchStarts.set(host, [...recent, at]);
  }

  async function fetchAndStore(ctx: GenericEndpointContext, clientId: string, host: string, existing: StoredClient | null): Promise<StoredClient> {
    claimFetch(host);
    const fetched = await fetchMetadataDocument(clientId, fetchOptions);
    const document = validateMetadataDocument(clientId, fetched.document);
    const expiresAt = metadataDocumentExpiresAt(fetched.headers, now());
    const client = await store(ctx, document, existing);
    const actor = await actorOf(ctx, clientId);
    await db.transaction(async (tx) => {
      // Writes are serialised, so of several instances storing the same new client exactly one inserts the row.
      const inserted = await tx
        .insert(clientRegistration)
        .values({ clientId, domainId: null, origin: "metadata_document", createdBy: null, metadataDocumentExpiresAt: expiresAt })
        .onConflictDoNothing()
        .returning({ clientId: clientRegistration.clientId });
      const after = describe(client);
      if (inserted.length > 0) {
        await recordEvent(tx, actor, {
          action: "client.registered",
          targetType: "client",
          targetId: clientId,
          details: { origin: "metadata_document", host, name: after.name, redirectUris: after.redirectUris, scopes: after.scopes },
        });
        return;
      }
      await tx.update(clientRegistration).set({ metadataDocumentExpiresAt: expiresAt }).where(eq(clientRegistration.clientId, clientId));
      if (!existing) return;
      const before = describe(existing);
      const changed = (Object.keys(after) as (keyof typeof after)[]).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
      if (changed.length > 0) {
        await recordEvent(tx, actor, {
          action: "client.metadata_document_changed",
          targetType: "client",
          targetId: clientId,
          details: {
            host,
            before: Object.fromEntries(changed.map((key) => [key, before[key]])),
            after: Object.fromEntries(changed.map((key) => [key, after[key]])),
          },
        });
      }
    });
    return client;
  }

  /**
   * Stores the document as the provider's client. A document that names no `scope` gets the same
   * defaults as a dynamic registration that names none; the provider would otherwise allow every scope.
   */
  async function store(ctx: GenericEndpointContext, document: MetadataDocument, existing: StoredClient | null): Promise<StoredClient> {
    const provider = ctx.context.getPlugin("oauth-provider") as { options: OAuthOptions<Scope[]> } | null;
    if (!provider) throw new Error("Client ID metadata documents need the OAuth provider plugin.");
    const options: OAuthOptions<Scope[]> = document.scope
      ? provider.options
      : { ...provider.options, clientRegistrationDefaultScopes: [...REGISTRATION_DEFAULT_SCOPES], clientRegistrationAllowedScopes: [] };
    try {
      const result = await registerClientMetadataDocument(ctx, options, {
        clientId: document.client_id,
        clientDiscoveryId: METADATA_DOCUMENT_DISCOVERY_ID,
        metadata: document,
        existingClient: existing ?? undefined,
      });
      return result.client;
    } catch (error) {
      // The provider's own checks (redirect URI forms, grant and response types, scopes) speak RFC 7591.
      if (isAPIError(error) && typeof error.body?.error_description === "string") {
        throw new MetadataDocumentError(`The metadata document at the client_id URL is not usable: ${error.body.error_description}.`);
      }
      throw error;
    }
  }

  /**
   * The provider's client for `clientId`, fetched and stored when needed. Throws the `invalid_client`
   * APIError, whose description says why, when the policy, the URL or the document refuses it.
   */
  async function resolve(ctx: GenericEndpointContext, clientId: string, existing: StoredClient | null): Promise<StoredClient> {
    try {
      const problem = clientIdUrlProblem(clientId, { allowLoopback });
      if (problem) throw new MetadataDocumentError(problem);
      const host = hostOfClientId(clientId)!;
      const refusal = await metadataDocumentRefusal(db, host);
      if (refusal) throw new MetadataDocumentError(refusal);
      if (existing) {
        const [registration] = await db
          .select({ expiresAt: clientRegistration.metadataDocumentExpiresAt })
          .from(clientRegistration)
          .where(eq(clientRegistration.clientId, clientId))
          .limit(1);
        if (registration?.expiresAt && registration.expiresAt > now()) return existing;
      }
      // Requests for the same client while its document is being fetched wait for that fetch.
      const pending = inFlight.get(clientId);
      if (pending) return await pending;
      const fetching = fetchAndStore(ctx, clientId, host, existing);
      inFlight.set(clientId, fetching);
      try {
        return await fetching;
      } finally {
        inFlight.delete(clientId);
      }
    } catch (error) {
      if (error instanceof FetchBudgetExceeded) throw metadataDocumentApiError(error, "TOO_MANY_REQUESTS");
      if (error instanceof MetadataDocumentError) throw metadataDocumentApiError(error);
      throw error;
    }
  }

  return { resolve, allowLoopback };
}

