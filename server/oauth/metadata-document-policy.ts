import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { clientRegistration, installationSetting, metadataDocumentHost, user, type MetadataHostRule } from "@/db/schema";
import { recordEvent, type AuditActor } from "@/server/audit/record";
import { revokeClientTokens } from "./clients";
import { revocationDetails, revokeGrants, type RevocationCounts } from "@/server/grants/commands";
import { hostOfClientId } from "./metadata-documents";

/**
 * Whose client ID metadata documents the installation accepts: any public https host (the default,
 * which is what MCP clients expect), only hosts an administrator allowed, or none. A host an
 * administrator blocked is refused whatever the mode.
 */
export const METADATA_DOCUMENT_MODES = ["all", "allowlist", "off"] as const;
export type MetadataDocumentMode = (typeof METADATA_DOCUMENT_MODES)[number];
export const METADATA_DOCUMENT_SETTING = "client_metadata_documents";
export const DEFAULT_METADATA_DOCUMENT_MODE: MetadataDocumentMode = "all";

const modeSchema = z.enum(METADATA_DOCUMENT_MODES);

export async function readMetadataDocumentMode(db: Executor): Promise<MetadataDocumentMode> {
  const [row] = await db
    .select({ value: installationSetting.value })
    .from(installationSetting)
    .where(eq(installationSetting.key, METADATA_DOCUMENT_SETTING))
    .limit(1);
  const parsed = modeSchema.safeParse((row?.value as { mode?: unknown } | undefined)?.mode);
  return parsed.success ? parsed.data : DEFAULT_METADATA_DOCUMENT_MODE;
}

export async function readHostRule(db: Executor, host: string): Promise<MetadataHostRule | null> {
  const [row] = await db.select({ rule: metadataDocumentHost.rule }).from(metadataDocumentHost).where(eq(metadataDocumentHost.host, host)).limit(1);
  return row?.rule ?? null;
}

/** Why the policy refuses a host's documents, in the words of the `error_description`; null when it accepts them. */
export async function metadataDocumentRefusal(db: Executor, host: string): Promise<string | null> {
  const [mode, rule] = await Promise.all([readMetadataDocumentMode(db), readHostRule(db, host)]);
  if (mode === "off") {
    return "This Gatehouse server does not accept client ID metadata documents. Ask its administrator to register the application instead.";
  }
  if (rule === "block") return `An administrator of this Gatehouse server has blocked client ID metadata documents from ${host}.`;
  if (mode === "allowlist" && rule !== "allow") {
    return `This Gatehouse server accepts client ID metadata documents only from hosts its administrator allowed, and ${host} is not one of them.`;
  }
  return null;
}

/** Switching the feature on, or from a list of hosts to every host, lets clients in that were refused before. */
export function widensMode(from: MetadataDocumentMode, to: MetadataDocumentMode): boolean {
  const openness: Record<MetadataDocumentMode, number> = { off: 0, allowlist: 1, all: 2 };
  return openness[to] > openness[from];
}

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

export interface MetadataHostItem {
  host: string;
  rule: MetadataHostRule;
  createdAt: Date;
  createdByEmail: string | null;
  /** Metadata-document clients Gatehouse has seen from this host. */
  clients: number;
}

/** The clients identified by documents on `host`. */
async function clientIdsOnHost(db: Executor, host: string): Promise<string[]> {
  const rows = await db
    .select({ clientId: clientRegistration.clientId })
    .from(clientRegistration)
    .where(eq(clientRegistration.origin, "metadata_document"));
  return rows.map(({ clientId }) => clientId).filter((clientId) => hostOfClientId(clientId) === host);
}

export async function readMetadataDocumentPolicy(db: Executor): Promise<{ mode: MetadataDocumentMode; hosts: MetadataHostItem[] }> {
  const [mode, rules, clients] = await Promise.all([
    readMetadataDocumentMode(db),
    db
      .select({ host: metadataDocumentHost.host, rule: metadataDocumentHost.rule, createdAt: metadataDocumentHost.createdAt, createdByEmail: user.email })
      .from(metadataDocumentHost)
      .leftJoin(user, eq(user.id, metadataDocumentHost.createdBy))
      .orderBy(asc(metadataDocumentHost.host)),
    db.select({ clientId: clientRegistration.clientId }).from(clientRegistration).where(eq(clientRegistration.origin, "metadata_document")),
  ]);
  const perHost = new Map<string, number>();
  for (const { clientId } of clients) {
    const host = hostOfClientId(clientId);
    if (host) perHost.set(host, (perHost.get(host) ?? 0) + 1);
  }
  return { mode, hosts: rules.map((rule) => ({ ...rule, clients: perHost.get(rule.host) ?? 0 })) };
}

const policyTarget = { targetType: "installation_setting", targetId: METADATA_DOCUMENT_SETTING } as const;
const hostTarget = (host: string) => ({ targetType: "metadata_document_host", targetId: host }) as const;

export async function setMetadataDocumentMode(tx: Executor, actor: AuditActor, mode: MetadataDocumentMode): Promise<MetadataDocumentMode> {
  const before = await readMetadataDocumentMode(tx);
  if (before === mode) return mode;
  const now = new Date();
  await tx
    .insert(installationSetting)
    .values({ key: METADATA_DOCUMENT_SETTING, value: { mode }, updatedAt: now, updatedBy: actor.userId })
    .onConflictDoUpdate({ target: installationSetting.key, set: { value: { mode }, updatedAt: now, updatedBy: actor.userId } });
  await recordEvent(tx, actor, { action: "client.metadata_documents_mode_changed", ...policyTarget, details: { before, after: mode } });
  return mode;
}

export async function allowMetadataHost(tx: Executor, actor: AuditActor, host: string): Promise<void> {
  const before = await readHostRule(tx, host);
  if (before === "allow") return;
  await tx
    .insert(metadataDocumentHost)
    .values({ host, rule: "allow", createdBy: actor.userId })
    .onConflictDoUpdate({ target: metadataDocumentHost.host, set: { rule: "allow", createdAt: new Date(), createdBy: actor.userId } });
  await recordEvent(tx, actor, { action: "client.metadata_host_allowed", ...hostTarget(host), details: { host, before } });
}

/**
 * Blocks a host and ends everything its clients hold: remembered consents, refresh tokens and access
 * tokens, for every user, in the same transaction. The clients stay listed, refused at every lookup.
 */
export async function blockMetadataHost(tx: Executor, actor: AuditActor, host: string): Promise<RevocationCounts & { clients: number }> {
  const before = await readHostRule(tx, host);
  if (before !== "block") {
    await tx
      .insert(metadataDocumentHost)
      .values({ host, rule: "block", createdBy: actor.userId })
      .onConflictDoUpdate({ target: metadataDocumentHost.host, set: { rule: "block", createdAt: new Date(), createdBy: actor.userId } });
  }
  const clientIds = await clientIdsOnHost(tx, host);
  const revoked: RevocationCounts = { accessTokens: 0, refreshTokens: 0, consents: 0 };
  for (const clientId of clientIds) {
    const tokens = await revokeClientTokens(tx, clientId, "metadata_host_blocked");
    const { consents } = await revokeGrants(tx, { clientId }, "metadata_host_blocked");
    revoked.accessTokens += tokens.accessTokens;
    revoked.refreshTokens += tokens.refreshTokens;
    revoked.consents += consents;
  }
  await recordEvent(tx, actor, {
    action: "client.metadata_host_blocked",
    ...hostTarget(host),
    details: { host, before, clients: clientIds.length, ...revocationDetails(revoked) },
  });
  return { ...revoked, clients: clientIds.length };
}

export async function removeMetadataHostRule(tx: Executor, actor: AuditActor, host: string): Promise<void> {
  const before = await readHostRule(tx, host);
  if (!before) return;
  await tx.delete(metadataDocumentHost).where(eq(metadataDocumentHost.host, host));
  await recordEvent(tx, actor, { action: "client.metadata_host_rule_removed", ...hostTarget(host), details: { host, rule: before } });
}

/**
 * What the console may not change on a client its metadata document describes: the document owns the
 * name, logo, redirect URIs and scopes (a later fetch would replace them), and whoever controls the
 * host could send its authorizations anywhere, so it is never trusted to skip consent or introspect.
 */
export function metadataDocumentClientChangeProblem(
  client: { origin: string; name: string; metadataDocumentHost: string | null },
  change: { name?: unknown; logoUri?: unknown; redirectUris?: unknown; scopes?: unknown; skipConsent?: boolean; resourceServer?: boolean },
): string | null {
  if (client.origin !== "metadata_document") return null;
  const host = client.metadataDocumentHost ?? "its host";
  if ([change.name, change.logoUri, change.redirectUris, change.scopes].some((value) => value !== undefined)) {
    return `${client.name} is described by its client ID metadata document on ${host}: its name, logo, redirect URIs and scopes come from there. To stop it, disable the client or block ${host}.`;
  }
  if (change.skipConsent === true || change.resourceServer === true) {
    return `${client.name} is identified by a metadata document on ${host}, so whoever controls ${host} decides where its authorizations go: it cannot skip consent or introspect other clients' tokens.`;
  }
  return null;
}
