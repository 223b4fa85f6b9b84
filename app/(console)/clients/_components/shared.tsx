"use client";

import type { inferRouterOutputs } from "@trpc/server";
import { useId } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import type { AppRouter } from "@/server/trpc/root";
import { Badge, Button, CopyButton } from "../../_components/ui";
import { useInvalidate } from "../../_components/use-invalidate";

type Outputs = inferRouterOutputs<AppRouter>;
export type ClientListItem = Outputs["clients"]["list"]["items"][number];
export type ClientDetail = Outputs["clients"]["get"];
export type ClientType = ClientListItem["type"];
export type ClientListCan = Outputs["clients"]["list"]["can"];
export type DomainOption = Outputs["clients"]["list"]["domains"][number];

export const CLIENT_TYPE_LABELS: Record<ClientType, string> = { public: "Public", confidential: "Confidential" };

export const CLIENT_TYPE_HINTS: Record<ClientType, string> = {
  public:
    "A browser, desktop or command-line app that cannot keep a secret, such as an MCP client on someone's laptop. It proves itself with PKCE and gets no secret.",
  confidential:
    "A server-side app that can keep a secret. It gets a client secret, shown once, and authenticates with it at the token endpoint.",
};

export const ORIGIN_LABELS: Record<ClientListItem["origin"], string> = {
  console: "Registered in the console",
  dynamic: "Registered itself (dynamic client registration)",
  metadata_document: "Identified by a client ID metadata document",
};

export function ownerLabel(domainName: string | null): string {
  return domainName ?? "Installation-wide";
}

export function ClientTypeBadge({ type }: { type: ClientType }) {
  return <Badge tone={type === "confidential" ? "brand" : "slate"}>{CLIENT_TYPE_LABELS[type]}</Badge>;
}

export function ClientStatusBadge({ disabled }: { disabled: boolean }) {
  return disabled ? <Badge tone="red">Disabled</Badge> : <Badge tone="green">Active</Badge>;
}

export function tokens(count: number): string {
  return count === 1 ? "1 access token" : `${count} access tokens`;
}

/** A client change can alter token counts, grants and the signed-in user's own connected apps. */
export function useInvalidateClients() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  return () => invalidate(trpc.clients.pathKey(), trpc.grants.pathKey(), trpc.sessions.pathKey(), trpc.account.pathKey(), trpc.audit.pathKey());
}

/**
 * The credentials of a client right after registration or rotation. The secret lives only in the
 * state of the component that shows this panel, so once the panel is dismissed it is gone.
 */
export function ClientCredentialsPanel({
  clientId,
  clientSecret,
  onDone,
}: {
  clientId: string;
  clientSecret: string | null;
  onDone: () => void;
}) {
  return (
    <div className="space-y-4">
      {clientSecret ? (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <span className="font-semibold">Copy the client secret now: you will not see it again.</span> Gatehouse keeps only a
          hash of it. If it is lost, rotate the secret to get a new one.
        </p>
      ) : (
        <p className="text-sm text-slate-600">
          A public client has no secret: it proves itself with PKCE. Configure the app with this client ID.
        </p>
      )}
      <CopyableValue label="Client ID" copyLabel="Copy client ID" value={clientId} />
      {clientSecret ? <CopyableValue label="Client secret" copyLabel="Copy client secret" value={clientSecret} /> : null}
      <div className="flex justify-end">
        <Button variant="primary" onClick={onDone}>
          {clientSecret ? "I have saved the secret" : "Done"}
        </Button>
      </div>
    </div>
  );
}

/** A value to copy elsewhere (a client ID, a URL): read-only, selected on focus, with a copy button. */
export function CopyableValue({
  label,
  copyLabel,
  value,
  hint,
  what = "the value",
}: {
  label: string;
  copyLabel: string;
  value: string;
  hint?: string;
  what?: string;
}) {
  const hintId = useId();
  return (
    <div className={hint ? "space-y-2" : "space-y-1"}>
      <label className="block text-sm font-medium text-slate-700">
        {label}
        <input
          readOnly
          value={value}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={hint ? hintId : undefined}
          onFocus={(event) => event.currentTarget.select()}
          className="mt-1 block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs text-slate-800"
        />
      </label>
      {hint ? (
        <p id={hintId} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      <CopyButton value={value} label={copyLabel} what={what} />
    </div>
  );
}
