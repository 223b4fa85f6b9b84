"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { CheckboxField, TextAreaField, TextField } from "@/app/_components/form";
import { useTRPC } from "@/app/_lib/trpc/client";
import { ACTIONS, RESOURCES, type Permission } from "@/server/shared/permissions";
import { Button, fieldError } from "../../_components/ui";
import { type PermissionOption, type RoleDetail } from "./shared";

type EditedRole = Pick<RoleDetail, "id" | "name" | "description" | "builtIn" | "requiresMfa" | "permissions">;

/**
 * The role form, for a new role (in a dialog) and on a role's page. `view` shows the same grid
 * read-only, for callers the server says may not edit the role. `permissionOptions` (from the
 * server) says which permissions the caller may put into a role.
 */
export function RoleEditor(
  props: { permissionOptions: readonly PermissionOption[] } & (
    | { mode: "create"; onSaved: () => void; onCancel: () => void }
    | { mode: "edit" | "view"; role: EditedRole }
  ),
) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const grantable = new Set(props.permissionOptions.filter((option) => option.grantable).map((option) => option.permission));
  const role = props.mode === "create" ? null : props.role;
  const builtIn = role?.builtIn ?? false;
  const readOnly = props.mode === "view";
  const [name, setName] = useState(role?.name ?? "");
  const [description, setDescription] = useState(role?.description ?? "");
  const [requiresMfa, setRequiresMfa] = useState(role?.requiresMfa ?? false);
  const [permissions, setPermissions] = useState<ReadonlySet<Permission>>(() => new Set(role?.permissions ?? []));

  const invalidate = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.roles.pathKey() });
    // User lists show role names.
    void queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() });
  };
  // Refusals about a field show next to it; any other is told in a toast.
  const refused = (error: { message: string; data?: { fieldErrors?: unknown } | null }) => {
    if (!error.data?.fieldErrors) toast.error(`The role was not saved: ${error.message}`);
  };
  const create = useMutation(
    trpc.roles.create.mutationOptions({
      onSuccess: (created) => {
        invalidate();
        toast.success(`Role ${created.name} created.`);
        if (props.mode === "create") props.onSaved();
      },
      onError: refused,
    }),
  );
  const update = useMutation(
    trpc.roles.update.mutationOptions({
      onSuccess: (saved) => {
        invalidate();
        toast.success(`Role ${saved.name} saved.`);
      },
      onError: refused,
    }),
  );
  const mutation = props.mode === "create" ? create : update;

  function toggle(permission: Permission, checked: boolean) {
    setPermissions((current) => {
      const next = new Set(current);
      if (checked) next.add(permission);
      else next.delete(permission);
      return next;
    });
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const chosen = [...permissions];
    if (role === null) {
      create.mutate({ name, description, permissions: chosen, requiresMfa });
    } else if (role.builtIn) {
      update.mutate({ id: role.id, description, requiresMfa });
    } else {
      update.mutate({ id: role.id, name, description, permissions: chosen, requiresMfa });
    }
  }

  const error = mutation.error;
  const nameLocked = readOnly || builtIn;
  return (
    <form method="post" onSubmit={onSubmit} className="space-y-5" noValidate>
      <TextField
        label="Name"
        name="name"
        value={name}
        onChange={(event) => {
          setName(event.target.value);
        }}
        readOnly={nameLocked}
        required
        autoComplete="off"
        hint={
          builtIn
            ? "Built-in roles cannot be renamed."
            : readOnly
              ? undefined
              : "Letters, digits, spaces, hyphens and underscores; unique regardless of case."
        }
        error={fieldError(error, "name")}
      />
      <TextAreaField
        label="Description"
        value={description}
        readOnly={readOnly}
        rows={2}
        maxLength={500}
        onChange={(event) => {
          setDescription(event.target.value);
        }}
        error={fieldError(error, "description")}
      />
      <RequiresMfaField
        checked={requiresMfa}
        readOnly={readOnly}
        onChange={(checked) => {
          setRequiresMfa(checked);
        }}
        error={fieldError(error, "requiresMfa")}
      />
      <PermissionGrid
        selected={permissions}
        onToggle={toggle}
        locked={readOnly || builtIn}
        lockedReason={
          builtIn && !readOnly
            ? "Built-in roles keep their permissions; only the description and the MFA requirement can change."
            : undefined
        }
        grantable={grantable}
        showHints={!readOnly && !builtIn}
        error={fieldError(error, "permissions")}
      />
      {readOnly ? null : (
        <div className="flex items-center justify-end gap-3">
          {props.mode === "create" ? <Button onClick={props.onCancel}>Cancel</Button> : null}
          <Button type="submit" variant="primary" pending={mutation.isPending} pendingLabel="Saving…">
            Save role
          </Button>
        </div>
      )}
    </form>
  );
}

function RequiresMfaField({
  checked,
  readOnly,
  onChange,
  error,
}: {
  checked: boolean;
  readOnly: boolean;
  onChange: (checked: boolean) => void;
  error?: string;
}) {
  return (
    <CheckboxField
      label="Require MFA for holders of this role"
      labelClassName={`text-sm font-medium ${readOnly ? "text-slate-500" : "text-slate-700"}`}
      hint="Everyone holding this role, in any domain, must set up an authenticator app or a passkey before they can use the console."
      error={error}
      checked={checked}
      disabled={readOnly}
      onChange={onChange}
    />
  );
}

function PermissionGrid({
  selected,
  onToggle,
  locked,
  lockedReason,
  grantable,
  showHints,
  error,
}: {
  selected: ReadonlySet<Permission>;
  onToggle: (permission: Permission, checked: boolean) => void;
  locked: boolean;
  lockedReason?: string;
  grantable: ReadonlySet<Permission>;
  showHints: boolean;
  error?: string;
}) {
  const id = useId();
  return (
    <div className="space-y-3">
      <div>
        <p className="text-sm font-medium text-slate-700">Permissions</p>
        <p id={`${id}-explain`} className="mt-1 text-xs text-slate-500">
          <strong className="font-medium">read</strong> sees the resource; <strong className="font-medium">write</strong>{" "}
          creates and edits it; <strong className="font-medium">delete</strong> removes it;{" "}
          <strong className="font-medium">admin</strong> allows its privileged operations (ban and unban users, assign and
          unassign roles, change a domain&apos;s security settings, rotate or disable clients, revoke tokens in bulk, export
          the audit log, owner-only settings). Each permission stands alone: admin does not include read.
        </p>
        {lockedReason ? <p className="mt-1 text-xs text-slate-500">{lockedReason}</p> : null}
        {showHints ? (
          <p className="mt-1 text-xs text-slate-500">You can grant only the permissions you hold globally.</p>
        ) : null}
      </div>
      {error ? (
        <p role="alert" className="text-xs text-red-600">
          {error}
        </p>
      ) : null}
      <div className="grid gap-3 sm:grid-cols-2">
        {RESOURCES.map((resource) => (
          <fieldset key={resource} className="rounded-md border border-slate-200 px-3 pt-1 pb-3">
            <legend className="px-1 text-sm font-semibold text-slate-800">{resource}</legend>
            <div className="flex flex-wrap gap-x-4 gap-y-2">
              {ACTIONS.map((action) => {
                const permission: Permission = `${resource}:${action}`;
                const notHeld = !grantable.has(permission);
                const hintId = `${id}-${resource}-${action}-hint`;
                const showHint = showHints && notHeld;
                return (
                  <div key={action} className="text-sm">
                    <label className={`inline-flex items-center gap-2 ${locked || notHeld ? "text-slate-500" : "text-slate-800"}`}>
                      <input
                        type="checkbox"
                        aria-label={permission}
                        aria-describedby={showHint ? hintId : undefined}
                        checked={selected.has(permission)}
                        disabled={locked || notHeld}
                        onChange={(event) => onToggle(permission, event.target.checked)}
                        className="size-4 rounded border-slate-300 accent-brand-600"
                      />
                      {action}
                    </label>
                    {showHint ? (
                      <p id={hintId} className="text-xs text-amber-700">
                        You do not hold this permission
                      </p>
                    ) : null}
                  </div>
                );
              })}
            </div>
          </fieldset>
        ))}
      </div>
    </div>
  );
}
