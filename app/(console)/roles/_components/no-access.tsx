import { EmptyState, Panel } from "../../_components/ui";

/** Shown by the roles pages to someone without roles:read anywhere, instead of an error. */
export function NoRolesAccess() {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Roles</h1>
      <Panel>
        <EmptyState title="You do not have access to roles.">
          Viewing roles needs the roles:read permission. Ask an administrator if you need it.
        </EmptyState>
      </Panel>
    </div>
  );
}
