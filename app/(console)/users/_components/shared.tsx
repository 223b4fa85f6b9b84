"use client";

import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";
import { CopyButton, LocalTime } from "../../_components/ui";

type Outputs = inferRouterOutputs<AppRouter>;
export type UserListItem = Outputs["users"]["list"]["items"][number];
export type UserDetail = Outputs["users"]["get"];
export type UserAssignment = UserDetail["roles"][number];
export type AssignableScope = UserDetail["assignable"][number];
export type UsersOptions = Outputs["users"]["options"];
export type Placement = UsersOptions["placements"][number];
export type MfaStatus = UserListItem["mfa"];

/** Where an assignment applies: one domain, or every domain for a global one. */
export function scopeLabel(domainName: string | null): string {
  return domainName ?? "All domains";
}

/** The enrolled second factors in a few characters, for a table cell: "TOTP + passkey", "TOTP" or "Passkey". */
export function mfaMethodsLabel(mfa: MfaStatus): string {
  const label = mfa.methods.map((method) => (method === "totp" ? "TOTP" : "passkey")).join(" + ");
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** The enrolled second factors in words, such as "Authenticator app, 2 passkeys". */
export function mfaDescription(mfa: MfaStatus): string {
  const parts: string[] = [];
  if (mfa.methods.includes("totp")) parts.push("Authenticator app");
  if (mfa.passkeys > 0) parts.push(mfa.passkeys === 1 ? "1 passkey" : `${mfa.passkeys} passkeys`);
  return parts.length === 0 ? "Not enrolled" : parts.join(", ");
}

/** An invitation link, which the server returns once and never stores in readable form. */
export function InviteLink({ url, expiresAt }: { url: string; expiresAt: Date | string }) {
  return (
    <div className="space-y-2 rounded-md border border-green-200 bg-green-50 px-3 py-3 text-sm">
      <label className="block font-medium text-green-900">
        Invite link
        <input
          readOnly
          value={url}
          onFocus={(event) => event.currentTarget.select()}
          className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs text-slate-800"
        />
      </label>
      <CopyButton value={url} label="Copy link" what="the link" tone="green" />
      <p className="text-xs text-green-900">
        This link is shown only once. Send it to the person now; it expires on <LocalTime value={expiresAt} />.
      </p>
    </div>
  );
}
