"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { FormAlert, TextField } from "@/app/_components/form";
import { usePermissions } from "@/app/_lib/permissions";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Button, Dialog, LoadingState, SelectField, fieldError } from "../../_components/ui";
import { InviteLink, canGrantRole, type Can, type DomainOption, type RoleOption } from "./shared";

export type NewUserMode = "create" | "invite";

/**
 * "Create user" (with a password) and "Invite user" (the person sets the password through a
 * one-time link) share one form. The form mounts only while the dialog is open, so each opening
 * starts empty.
 */
export function NewUserDialog({
  mode,
  onClose,
  roles,
  domains,
  loading,
}: {
  mode: NewUserMode | null;
  onClose: () => void;
  /** Null when the caller cannot read roles: the account then gets the default member role. */
  roles: RoleOption[] | null;
  domains: DomainOption[];
  /** The choices are still loading; the form waits so that its defaults come from them. */
  loading: boolean;
}) {
  return (
    <Dialog open={mode !== null} onClose={onClose} title={mode === "invite" ? "Invite user" : "Create user"}>
      {mode === null ? null : loading ? (
        <LoadingState label="Loading roles and domains" />
      ) : (
        <NewUserForm key={mode} mode={mode} onClose={onClose} roles={roles} domains={domains} />
      )}
    </Dialog>
  );
}

/** A role needs roles:admin in the scope as well when it carries permissions (server/users/accounts.ts). */
function canPlaceWith(can: Can, role: RoleOption, domainId: string | null): boolean {
  if (role.permissions.length > 0 && !can("roles:admin", domainId)) return false;
  return canGrantRole(can, role, domainId);
}

function NewUserForm({
  mode,
  onClose,
  roles,
  domains,
}: {
  mode: NewUserMode;
  onClose: () => void;
  roles: RoleOption[] | null;
  domains: DomainOption[];
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = usePermissions();

  const scopes = [
    ...(can("users:write", null) ? [{ value: "", label: "All domains" }] : []),
    ...domains.filter((domain) => can("users:write", domain.id)).map((domain) => ({ value: domain.id, label: domain.name })),
  ];
  const member = roles?.find((role) => role.builtIn && role.name === "member");
  const [domainId, setDomainId] = useState(scopes[0]?.value ?? "");
  const [roleId, setRoleId] = useState(member?.id ?? "");
  const scope = domainId || null;

  const onSuccess = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.roles.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.domains.pathKey() });
  };
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: () => {
        onSuccess();
        onClose();
      },
    }),
  );
  const invite = useMutation(trpc.users.invite.mutationOptions({ onSuccess }));
  const mutation = mode === "create" ? create : invite;

  if (invite.data) {
    return (
      <div className="space-y-4">
        <p role="status" className="text-sm text-slate-700">
          <span className="font-medium">{invite.data.email}</span> is invited. They choose their password with this link.
        </p>
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
    const chosen = roles?.find((role) => role.id === roleId);
    // Keep the chosen role only where it can still be given.
    if (chosen && !canPlaceWith(can, chosen, next || null)) setRoleId(member?.id ?? "");
  }

  const error = mutation.error;
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {mode === "invite" ? (
        <p className="text-sm text-slate-600">
          The account is created without a password. You get a one-time link, valid for 7 days, to send to the person.
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
          You can add users only to domains where you hold users:write, and none of them is visible to you.
        </p>
      )}
      {roles ? (
        <SelectField label="Role" value={roleId} onChange={(event) => setRoleId(event.target.value)}>
          {member ? null : <option value="">member (default)</option>}
          {roles.map((role) => {
            const allowed = canPlaceWith(can, role, scope);
            return (
              <option key={role.id} value={role.id} disabled={!allowed}>
                {allowed ? role.name : `${role.name} (beyond your permissions here)`}
              </option>
            );
          })}
        </SelectField>
      ) : (
        <p className="text-sm text-slate-500">The account gets the member role.</p>
      )}
      <p className="text-xs text-slate-500">
        {scope === null
          ? "The role applies in every domain."
          : "The role applies in the chosen domain only."}
      </p>
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button
          type="submit"
          variant="primary"
          disabled={scopes.length === 0}
          pending={mutation.isPending}
          pendingLabel={mode === "create" ? "Creating…" : "Inviting…"}
        >
          {mode === "create" ? "Create user" : "Invite user"}
        </Button>
      </div>
    </form>
  );
}
