"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { FormAlert, TextAreaField, TextField } from "@/app/_components/form";
import { usePermissions } from "@/app/_lib/permissions";
import { useTRPC } from "@/app/_lib/trpc/client";
import type { Permission } from "@/server/shared/permissions";
import { Badge, Button, ConfirmDialog, Dialog, ErrorState, LoadingState, SelectField, LocalTime, fieldError } from "../../_components/ui";
import {
  InviteLink,
  canGrantRole,
  mfaDescription,
  scopeLabel,
  type DomainOption,
  type RoleOption,
  type UserAssignment,
  type UserDetail,
} from "./shared";

export interface DrawerTarget {
  id: string;
  email: string;
}

/**
 * Which user the drawer shows. `opening` counts openings: each one mounts a fresh drawer, so a
 * message from an earlier visit is never shown again. After closing, the target stays so that
 * the <dialog> closes itself (and gives focus back) before it is replaced.
 */
export interface DrawerState {
  target: DrawerTarget;
  open: boolean;
  opening: number;
}

type Confirm = { kind: "ban" } | { kind: "resetMfa" } | { kind: "delete" } | { kind: "remove"; assignment: UserAssignment };

/**
 * The side drawer for one user. Its confirmations are rendered beside the drawer, not inside it:
 * React would otherwise deliver a nested <dialog>'s close event to the drawer's onClose as well.
 */
export function UserDrawer({
  state,
  onClose,
  roles,
  domains,
}: {
  state: DrawerState | null;
  onClose: () => void;
  roles: RoleOption[] | null;
  domains: DomainOption[];
}) {
  if (!state) return null;
  return (
    <UserDrawerContent
      key={state.opening}
      target={state.target}
      open={state.open}
      onClose={onClose}
      roles={roles}
      domains={domains}
    />
  );
}

function useInvalidateUsers() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => {
    // Assignments change user lists, role counts and domain member counts alike.
    void queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.roles.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.domains.pathKey() });
  };
}

function UserDrawerContent({
  target,
  open,
  onClose,
  roles,
  domains,
}: {
  target: DrawerTarget;
  open: boolean;
  onClose: () => void;
  roles: RoleOption[] | null;
  domains: DomainOption[];
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invalidate = useInvalidateUsers();
  const { can, canAnywhere } = usePermissions();
  const me = useQuery(trpc.me.get.queryOptions());
  const detail = useQuery({ ...trpc.users.get.queryOptions({ id: target.id }), enabled: open });
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [banReason, setBanReason] = useState("");
  const rolesHeadingId = useId();
  const accountHeadingId = useId();

  const ban = useMutation(
    trpc.users.ban.mutationOptions({
      onSuccess: () => {
        setConfirm(null);
        invalidate();
      },
    }),
  );
  const unban = useMutation(trpc.users.unban.mutationOptions({ onSuccess: invalidate }));
  const resetMfa = useMutation(
    trpc.users.resetMfa.mutationOptions({
      onSuccess: () => {
        setConfirm(null);
        invalidate();
      },
    }),
  );
  const remove = useMutation(
    trpc.roles.unassign.mutationOptions({
      onSuccess: () => {
        setConfirm(null);
        invalidate();
      },
    }),
  );
  const deleteUser = useMutation(
    trpc.users.delete.mutationOptions({
      onSuccess: () => {
        setConfirm(null);
        onClose();
        queryClient.removeQueries({ queryKey: trpc.users.get.queryKey({ id: target.id }) });
        void queryClient.invalidateQueries({ queryKey: trpc.users.list.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.roles.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.domains.pathKey() });
      },
    }),
  );

  function ask(next: Confirm) {
    ban.reset();
    resetMfa.reset();
    remove.reset();
    deleteUser.reset();
    setBanReason("");
    setConfirm(next);
  }

  const user = detail.data;
  const isSelf = me.data?.id === target.id;
  /**
   * Ban, delete and profile edits change the whole account: the server allows them with the
   * permission globally, or when every domain of the account is one where the caller holds it.
   */
  const canActOnAccount = (permission: Permission) =>
    can(permission, null) ||
    (!!user && user.roles.length > 0 && user.roles.every((assignment) => assignment.domainId !== null && can(permission, assignment.domainId)));

  let body: ReactNode;
  if (detail.isPending) {
    body = <LoadingState label={`Loading ${target.email}`} />;
  } else if (detail.isError) {
    body = (
      <ErrorState message={`This user could not be loaded: ${detail.error.message}`} onRetry={() => void detail.refetch()} />
    );
  } else if (user) {
    const canAssign = !isSelf && roles !== null && canAnywhere("roles:admin");
    const canBan = !isSelf && canActOnAccount("users:admin");
    // The server grants a reset on the same terms as a ban.
    const canResetMfa = canBan && user.mfa.enrolled;
    const canDelete = !isSelf && canActOnAccount("users:delete");
    body = (
      <div className="space-y-8">
        <ProfileSection user={user} canWrite={canActOnAccount("users:write")} />
        <section aria-labelledby={rolesHeadingId} className="space-y-3">
          <h3 id={rolesHeadingId} className="text-sm font-semibold text-slate-900">
            Roles
          </h3>
          {isSelf ? <p className="text-sm text-slate-500">You cannot change your own roles.</p> : null}
          {user.roles.length === 0 ? (
            <p className="text-sm text-slate-500">No role assignments that you can see.</p>
          ) : (
            <ul className="divide-y divide-slate-100 rounded-md border border-slate-200">
              {user.roles.map((assignment) => (
                <li key={assignment.assignmentId} className="flex items-center justify-between gap-3 px-3 py-2 text-sm">
                  <div className="min-w-0">
                    <p className="font-medium">{assignment.roleName}</p>
                    <p className="text-xs text-slate-500">
                      {scopeLabel(assignment.domainName)} · since <LocalTime value={assignment.createdAt} />
                    </p>
                  </div>
                  {!isSelf && can("roles:admin", assignment.domainId) ? (
                    <Button
                      variant="ghost"
                      aria-label={`Remove ${assignment.roleName} in ${scopeLabel(assignment.domainName)}`}
                      onClick={() => ask({ kind: "remove", assignment })}
                    >
                      Remove
                    </Button>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
          {canAssign ? <AssignRoleForm user={user} roles={roles} domains={domains} /> : null}
        </section>
        {canBan || canDelete ? (
          <section aria-labelledby={accountHeadingId} className="space-y-3">
            <h3 id={accountHeadingId} className="text-sm font-semibold text-slate-900">
              Account
            </h3>
            <FormAlert message={unban.error?.message} />
            {resetMfa.isSuccess ? (
              <p role="status" className="text-sm text-green-700">
                MFA was reset for {target.email}: they have no second factor until they enrol again.
              </p>
            ) : null}
            <div className="flex flex-wrap gap-2">
              {canBan && user.banned ? (
                <Button
                  pending={unban.isPending}
                  pendingLabel="Unbanning…"
                  onClick={() => unban.mutate({ id: user.id })}
                >
                  Unban user
                </Button>
              ) : null}
              {canBan && !user.banned ? (
                <Button variant="danger" onClick={() => ask({ kind: "ban" })}>
                  Ban user
                </Button>
              ) : null}
              {canResetMfa ? (
                <Button variant="danger" onClick={() => ask({ kind: "resetMfa" })}>
                  Reset MFA
                </Button>
              ) : null}
              {canDelete ? (
                <Button variant="danger" onClick={() => ask({ kind: "delete" })}>
                  Delete user
                </Button>
              ) : null}
            </div>
          </section>
        ) : null}
      </div>
    );
  }

  return (
    <>
      <Dialog open={open} side onClose={onClose} title={target.email}>
        {body}
      </Dialog>
      <ConfirmDialog
        open={confirm?.kind === "ban"}
        onCancel={() => setConfirm(null)}
        onConfirm={() => ban.mutate({ id: target.id, ...(banReason.trim() ? { reason: banReason.trim() } : {}) })}
        title="Ban user"
        confirmLabel="Ban user"
        pending={ban.isPending}
        error={ban.error?.message}
      >
        <p>
          Ban <span className="font-semibold">{target.email}</span>? They are signed out everywhere at once and cannot sign in
          until unbanned.
        </p>
        <div className="mt-3">
          <TextAreaField
            label="Reason (optional)"
            value={banReason}
            maxLength={500}
            rows={3}
            onChange={(event) => setBanReason(event.target.value)}
            hint="Shown to administrators only."
          />
        </div>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm?.kind === "resetMfa"}
        onCancel={() => setConfirm(null)}
        onConfirm={() => resetMfa.mutate({ id: target.id })}
        title="Reset MFA"
        confirmLabel="Reset MFA"
        pending={resetMfa.isPending}
        error={resetMfa.error?.message}
      >
        <p>
          Reset two-factor authentication for <span className="font-semibold">{target.email}</span>? This removes their
          authenticator app, backup codes, passkeys and trusted devices. If a role or domain requires MFA of them, they must
          enrol again at their next sign-in.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm?.kind === "delete"}
        onCancel={() => setConfirm(null)}
        onConfirm={() => deleteUser.mutate({ id: target.id })}
        title="Delete user"
        confirmLabel="Delete user"
        pending={deleteUser.isPending}
        error={deleteUser.error?.message}
        typeToConfirm={target.email}
      >
        <p>
          Delete <span className="font-semibold">{target.email}</span> with their sessions, credentials, role assignments and
          invitations? This cannot be undone; the audit history keeps their id.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm?.kind === "remove"}
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          if (confirm?.kind !== "remove") return;
          remove.mutate({ userId: target.id, roleId: confirm.assignment.roleId, domainId: confirm.assignment.domainId });
        }}
        title="Remove role"
        confirmLabel="Remove role"
        pending={remove.isPending}
        error={remove.error?.message}
      >
        {confirm?.kind === "remove" ? (
          <p>
            Remove the role <span className="font-semibold">{confirm.assignment.roleName}</span> in{" "}
            <span className="font-semibold">{scopeLabel(confirm.assignment.domainName)}</span> from{" "}
            <span className="font-semibold">{target.email}</span>?
          </p>
        ) : null}
      </ConfirmDialog>
    </>
  );
}

function signInState(user: UserDetail): ReactNode {
  if (user.invitationPending) {
    return (
      <>
        Invitation pending
        {user.invitationExpiresAt ? (
          <>
            {" "}
            (the link {new Date(user.invitationExpiresAt) < new Date() ? "expired" : "expires"} <LocalTime value={user.invitationExpiresAt} />)
          </>
        ) : null}
      </>
    );
  }
  return user.hasPassword ? "Password set" : "No password (signs in another way)";
}

function ProfileSection({ user, canWrite }: { user: UserDetail; canWrite: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateUsers();
  const [editing, setEditing] = useState(false);
  const reinvite = useMutation(trpc.users.reinvite.mutationOptions({ onSuccess: invalidate }));
  const headingId = useId();

  const rows: Array<[string, ReactNode]> = [
    ["Name", user.name],
    ["Email", user.email],
    ["Email verified", user.emailVerified ? "Yes" : "No"],
    ["Created", <LocalTime key="created" value={user.createdAt} />],
    ["Active sessions", String(user.sessionsCount)],
    ["Two-factor", mfaDescription(user.mfa)],
    ["Sign-in", signInState(user)],
    [
      "Status",
      user.banned ? (
        <span key="status">
          <Badge tone="red">Banned</Badge>{" "}
          <span className="text-slate-600">
            since <LocalTime value={user.banned.bannedAt} />
            {user.banned.bannedByEmail ? ` by ${user.banned.bannedByEmail}` : ""}
            {user.banned.reason ? `: ${user.banned.reason}` : ""}
          </span>
        </span>
      ) : (
        "Active"
      ),
    ],
  ];

  return (
    <section aria-labelledby={headingId} className="space-y-3">
      <h3 id={headingId} className="text-sm font-semibold text-slate-900">
        Profile
      </h3>
      <dl className="divide-y divide-slate-100 rounded-md border border-slate-200">
        {rows.map(([label, value]) => (
          <div key={label} className="grid grid-cols-3 gap-3 px-3 py-2 text-sm">
            <dt className="text-slate-500">{label}</dt>
            <dd className="col-span-2 break-words">{value}</dd>
          </div>
        ))}
      </dl>
      {editing ? <EditNameForm user={user} onDone={() => setEditing(false)} /> : null}
      {canWrite && (!editing || user.invitationPending) ? (
        <div className="flex flex-wrap gap-2">
          {!editing ? <Button onClick={() => setEditing(true)}>Edit name</Button> : null}
          {user.invitationPending ? (
            <Button
              pending={reinvite.isPending}
              pendingLabel="Issuing a new link…"
              onClick={() => reinvite.mutate({ id: user.id })}
            >
              Send a new invite link
            </Button>
          ) : null}
        </div>
      ) : null}
      <FormAlert message={reinvite.error?.message} />
      {reinvite.data ? (
        <div className="space-y-2">
          <p role="status" className="text-sm text-slate-700">
            A new invite link was issued; the previous one no longer works.
          </p>
          <InviteLink url={reinvite.data.inviteUrl} expiresAt={reinvite.data.expiresAt} />
        </div>
      ) : null}
    </section>
  );
}

function EditNameForm({ user, onDone }: { user: UserDetail; onDone: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateUsers();
  const update = useMutation(
    trpc.users.update.mutationOptions({
      onSuccess: () => {
        invalidate();
        onDone();
      },
    }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate({ id: user.id, name: String(new FormData(event.currentTarget).get("name") ?? "") });
  }
  return (
    <form onSubmit={onSubmit} className="space-y-3 rounded-md border border-slate-200 p-3" noValidate>
      <FormAlert message={update.error?.message} />
      <TextField label="Name" name="name" defaultValue={user.name} required autoFocus error={fieldError(update.error, "name")} />
      <div className="flex justify-end gap-2">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" pending={update.isPending} pendingLabel="Saving…">
          Save name
        </Button>
      </div>
    </form>
  );
}

function AssignRoleForm({ user, roles, domains }: { user: UserDetail; roles: RoleOption[]; domains: DomainOption[] }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateUsers();
  const { can } = usePermissions();
  const scopes = [
    ...(can("roles:admin", null) ? [{ value: "", label: "All domains" }] : []),
    ...domains.filter((domain) => can("roles:admin", domain.id)).map((domain) => ({ value: domain.id, label: domain.name })),
  ];
  const [domainId, setDomainId] = useState(scopes[0]?.value ?? "");
  const [roleId, setRoleId] = useState("");
  const titleId = useId();
  const assign = useMutation(
    trpc.roles.assign.mutationOptions({
      onSuccess: () => {
        setRoleId("");
        invalidate();
      },
    }),
  );

  const held = (role: RoleOption, scope: string | null) =>
    user.roles.some((assignment) => assignment.roleId === role.id && assignment.domainId === scope);
  const availability = (role: RoleOption, scope: string | null): string | null =>
    held(role, scope) ? "already held here" : canGrantRole(can, role, scope) ? null : "beyond your permissions here";

  function changeDomain(next: string) {
    setDomainId(next);
    const chosen = roles.find((role) => role.id === roleId);
    if (chosen && availability(chosen, next || null) !== null) setRoleId("");
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!roleId) return;
    assign.mutate({ userId: user.id, roleId, domainId: domainId || null });
  }

  if (scopes.length === 0) return null;
  const scope = domainId || null;
  return (
    <form onSubmit={onSubmit} className="space-y-3 rounded-md border border-slate-200 p-3" aria-labelledby={titleId}>
      <p id={titleId} className="text-sm font-medium text-slate-900">
        Assign a role
      </p>
      <FormAlert message={assign.error?.message} />
      <div className="grid grid-cols-2 gap-3">
        <SelectField label="Role" value={roleId} required onChange={(event) => setRoleId(event.target.value)}>
          <option value="">Choose a role</option>
          {roles.map((role) => {
            const blocked = availability(role, scope);
            return (
              <option key={role.id} value={role.id} disabled={blocked !== null}>
                {blocked ? `${role.name} (${blocked})` : role.name}
              </option>
            );
          })}
        </SelectField>
        <SelectField label="Domain" value={domainId} onChange={(event) => changeDomain(event.target.value)}>
          {scopes.map((option) => (
            <option key={option.value || "global"} value={option.value}>
              {option.label}
            </option>
          ))}
        </SelectField>
      </div>
      {assign.isSuccess ? (
        <p role="status" className="text-sm text-green-700">
          Role assigned.
        </p>
      ) : null}
      <div className="flex justify-end">
        <Button type="submit" variant="primary" disabled={!roleId} pending={assign.isPending} pendingLabel="Assigning…">
          Assign role
        </Button>
      </div>
    </form>
  );
}
