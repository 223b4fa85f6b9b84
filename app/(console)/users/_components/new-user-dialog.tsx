"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { FormAlert, TextField } from "@/app/_components/form";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Button, FormFooter, Dialog, LoadingState, SelectField, fieldError } from "../../_components/ui";
import { InviteLink, scopeLabel, type Placement, type UsersOptions } from "./shared";
import { useInvalidateUsers } from "./use-invalidate-users";

export type NewUserMode = "create" | "invite";

/**
 * "Create user" (with a password) and "Invite user" (the person sets the password through a
 * one-time link) share one form. The form mounts only while the dialog is open, so each opening
 * starts empty.
 */
export function NewUserDialog({
  mode,
  onClose,
  options,
}: {
  mode: NewUserMode | null;
  onClose: () => void;
  /** Where the caller may place a new account, from users.options; null while it loads. */
  options: UsersOptions | null;
}) {
  return (
    <Dialog open={mode !== null} onClose={onClose} title={mode === "invite" ? "Invite user" : "Create user"}>
      {mode === null ? null : options === null ? (
        <LoadingState label="Loading roles and domains" />
      ) : (
        <NewUserForm key={mode} mode={mode} onClose={onClose} options={options} />
      )}
    </Dialog>
  );
}

const MEMBER = "member";

function NewUserForm({ mode, onClose, options }: { mode: NewUserMode; onClose: () => void; options: UsersOptions }) {
  const trpc = useTRPC();

  // The scopes in the server's order ("" is the global scope), each with the roles it offers.
  const byScope = new Map<string, Placement[]>();
  for (const placement of options.placements) {
    const key = placement.domainId ?? "";
    byScope.set(key, [...(byScope.get(key) ?? []), placement]);
  }
  const scopes = [...byScope].map(([value, placements]) => ({ value, label: scopeLabel(placements[0]?.domainName ?? null) }));
  const allowed = (placement: Placement) => placement.can[mode];
  const memberIn = (scopeValue: string) => byScope.get(scopeValue)?.find((placement) => placement.roleName === MEMBER && allowed(placement));
  const [domainId, setDomainId] = useState(scopes[0]?.value ?? "");
  const [roleId, setRoleId] = useState(options.choosesRole ? (memberIn(scopes[0]?.value ?? "")?.roleId ?? "") : "");
  const scope = domainId || null;
  const roleChoices = byScope.get(domainId) ?? [];

  const onSuccess = useInvalidateUsers();
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: (_data, variables) => {
        onSuccess();
        onClose();
        toast.success(`The account for ${variables.email} is created.`);
      },
    }),
  );
  const invite = useMutation(trpc.users.invite.mutationOptions({ onSuccess }));
  const mutation = mode === "create" ? create : invite;

  if (invite.data) {
    return (
      <div className="space-y-4">
        {invite.data.emailed ? (
          <p role="status" className="text-sm text-slate-700">
            We emailed the link to <span className="font-medium">{invite.data.email}</span>. They choose their password with it;
            you can also pass it on yourself.
          </p>
        ) : (
          <p role="alert" className="text-sm text-red-700">
            <span className="font-medium">{invite.data.email}</span> is invited, but the email with their link could not be sent.
            Send them this link yourself.
          </p>
        )}
        <InviteLink url={invite.data.inviteUrl} expiresAt={invite.data.expiresAt} />
        <div className="flex justify-end">
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        </div>
      </div>
    );
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const placement = { ...(roleId ? { roleId } : {}), ...(domainId ? { domainId } : {}) };
    const name = String(form.get("name") ?? "");
    const email = String(form.get("email") ?? "").trim();
    if (mode === "create") create.mutate({ name, email, password: String(form.get("password") ?? ""), ...placement });
    else invite.mutate({ name, email, ...placement });
  }

  function changeDomain(next: string) {
    setDomainId(next);
    const chosen = (byScope.get(next) ?? []).find((placement) => placement.roleId === roleId);
    // Keep the chosen role only where it can still be given.
    if (roleId && (!chosen || !allowed(chosen))) setRoleId(memberIn(next)?.roleId ?? "");
  }

  const error = mutation.error;
  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      {mode === "invite" ? (
        <p className="text-sm text-slate-600">
          The account is created without a password. We email the person a one-time link, valid for 7 days, with which they
          choose one; you see the link too.
        </p>
      ) : null}
      <FormAlert message={error?.message} />
      <TextField label="Name" name="name" autoComplete="off" required error={fieldError(error, "name")} />
      <TextField label="Email" name="email" type="email" autoComplete="off" required error={fieldError(error, "email")} />
      {mode === "create" ? (
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          hint="At least 12 characters, not a common password. Share it with the person securely."
          error={fieldError(error, "password")}
        />
      ) : null}
      {scopes.length > 0 ? (
        <SelectField label="Domain" value={domainId} onChange={(event) => changeDomain(event.target.value)}>
          {scopes.map((option) => (
            <option key={option.value || "global"} value={option.value}>
              {option.label}
            </option>
          ))}
        </SelectField>
      ) : (
        <p role="alert" className="text-sm text-red-700">
          There is no domain you can add users to.
        </p>
      )}
      {options.choosesRole ? (
        <SelectField label="Role" value={roleId} onChange={(event) => setRoleId(event.target.value)}>
          {roleChoices.some((placement) => placement.roleName === MEMBER) ? null : <option value="">member (default)</option>}
          {roleChoices.map((placement) => (
            <option key={placement.roleId} value={placement.roleId} disabled={!allowed(placement)}>
              {allowed(placement) ? placement.roleName : `${placement.roleName} (beyond your permissions here)`}
            </option>
          ))}
        </SelectField>
      ) : (
        <p className="text-sm text-slate-500">The account gets the member role.</p>
      )}
      <p className="text-xs text-slate-500">
        {scope === null
          ? "The role applies in every domain."
          : "The role applies in the chosen domain only."}
      </p>
      <FormFooter
        onCancel={onClose}
        submitLabel={mode === "create" ? "Create user" : "Invite user"}
        disabled={scopes.length === 0}
        pending={mutation.isPending}
        pendingLabel={mode === "create" ? "Creating…" : "Inviting…"}
      />
    </form>
  );
}
