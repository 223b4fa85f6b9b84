import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { clientRegistration, installationSetting, metadataDocumentHost, user, type MetadataHostRule } from "@/db/schema";
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

export interface MetadataHostItem {
  host: string;
  rule: MetadataHostRule;
  createdAt: Date;
  createdByEmail: string | null;
  /** Metadata-document clients Gatehouse has seen from this host. */
  clients: number;
}

export interface MetadataDocumentPolicy {
  mode: MetadataDocumentMode;
  hosts: MetadataHostItem[];
}

export async function readMetadataDocumentPolicy(db: Executor): Promise<MetadataDocumentPolicy> {
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
