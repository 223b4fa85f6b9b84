"use client";

import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { FormAlert, firstError } from "@/app/_components/form";
import { useTRPC } from "@/app/_lib/trpc/client";
import { FormFooter, Dialog, SelectField } from "../../_components/ui";
import { ClientFields, formMessage, parseRedirectUris, type ClientFormValues } from "./client-fields";
import {
  CLIENT_TYPE_HINTS,
  CLIENT_TYPE_LABELS,
  ClientCredentialsPanel,
  useInvalidateClients,
  type ClientListCan,
  type ClientType,
  type DomainOption,
} from "./shared";

const CLIENT_TYPES: ClientType[] = ["confidential", "public"];

/** `can` and `domains` are what the clients list says the caller may register, and where. */
export function RegisterClientDialog({
  open,
  onClose,
  can,
  domains,
}: {
  open: boolean;
  onClose: () => void;
  can: ClientListCan;
  domains: DomainOption[];
}) {
  // The form mounts only while the dialog is open: every opening starts blank, and a secret shown
  // after registration is gone with the dialog.
  return (
    <Dialog open={open} onClose={onClose} title="Register client">
      <RegisterClientForm onClose={onClose} can={can} domains={domains} />
    </Dialog>
  );
}

function RegisterClientForm({ onClose, can, domains }: { onClose: () => void; can: ClientListCan; domains: DomainOption[] }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateClients();
  const owners = [
    ...(can.createInstallationWide ? [{ value: "", label: "Installation-wide (no domain)" }] : []),
    ...domains.filter((domain) => domain.can.register).map((domain) => ({ value: domain.id, label: domain.name })),
  ];
  const [type, setType] = useState<ClientType>("confidential");
  const [authMethod, setAuthMethod] = useState<"client_secret_basic" | "client_secret_post">("client_secret_basic");
  const [domainId, setDomainId] = useState(owners[0]?.value ?? "");
  const [values, setValues] = useState<ClientFormValues>({
    name: "",
    redirectUris: "",
    scopes: ["openid", "mcp:read"],
    logoUri: "",
    skipConsent: false,
  });
  const [sentLines, setSentLines] = useState<number[]>([]);
  const typeHintId = useId();
  const ownerHintId = useId();
  // Only a global clients:admin may make a client that skips consent, wherever the client lives.
  const canTrust = can.trust;

  const create = useMutation(
    trpc.clients.create.mutationOptions({
      // The response holds the secret; the mutation cache should not keep it after this form is gone.
      gcTime: 0,
      onSuccess: () => void invalidate(),
    }),
  );

  if (create.data) {
    return <ClientCredentialsPanel clientId={create.data.client.clientId} clientSecret={create.data.clientSecret} onDone={onClose} />;
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { uris, lines } = parseRedirectUris(values.redirectUris);
    setSentLines(lines);
    create.mutate({
      name: values.name,
      type,
      authMethod,
      redirectUris: uris,
      scopes: values.scopes,
      domainId: domainId || null,
      ...(values.logoUri.trim() ? { logoUri: values.logoUri.trim() } : {}),
      ...(canTrust ? { skipConsent: values.skipConsent } : {}),
    });
  }

  const errors = create.error?.data?.fieldErrors;
  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormAlert message={formMessage(create.error)} />
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-700">Type</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {CLIENT_TYPES.map((option) => (
            <label
              key={option}
              className="flex cursor-pointer items-start gap-2 rounded-md border border-slate-200 p-3 text-sm has-checked:border-brand-600 has-checked:bg-brand-50"
            >
              <input
                type="radio"
                name="type"
                value={option}
                checked={type === option}
                onChange={() => setType(option)}
                aria-labelledby={`${typeHintId}-${option}-label`}
                aria-describedby={`${typeHintId}-${option}`}
                className="mt-0.5"
              />
              <span>
                <span id={`${typeHintId}-${option}-label`} className="block font-medium text-slate-900">
                  {CLIENT_TYPE_LABELS[option]}
                </span>
                <span id={`${typeHintId}-${option}`} className="block text-xs text-slate-500">
                  {CLIENT_TYPE_HINTS[option]}
                </span>
              </span>
            </label>
          ))}
        </div>
        {firstError(errors, "type") ? <p className="text-xs text-red-600">{firstError(errors, "type")}</p> : null}
      </fieldset>
      {type === "confidential" ? (
        <SelectField
          label="Secret sent as"
          value={authMethod}
          onChange={(event) => setAuthMethod(event.target.value as typeof authMethod)}
        >
          <option value="client_secret_basic">HTTP Basic header (client_secret_basic)</option>
          <option value="client_secret_post">Form field (client_secret_post)</option>
        </SelectField>
      ) : null}
      <ClientFields
        values={values}
        onChange={(change) => setValues((current) => ({ ...current, ...change }))}
        errors={errors}
        sentLines={sentLines}
        canTrust={canTrust}
      >
        {owners.length > 0 ? (
          <div className="space-y-1">
            <SelectField
              label="Owning domain"
              value={domainId}
              onChange={(event) => setDomainId(event.target.value)}
              aria-invalid={firstError(errors, "domainId") ? true : undefined}
              aria-describedby={ownerHintId}
            >
              {owners.map((owner) => (
                <option key={owner.value || "installation"} value={owner.value}>
                  {owner.label}
                </option>
              ))}
            </SelectField>
            <p id={ownerHintId} className={`text-xs ${firstError(errors, "domainId") ? "text-red-600" : "text-slate-500"}`}>
              {firstError(errors, "domainId") ??
                "Administrators of the domain manage the client; an installation-wide client only those with global permissions."}
            </p>
          </div>
        ) : (
          <p role="alert" className="text-sm text-red-700">
            You can register clients only in domains where you hold clients:write, and none of them is visible to you.
          </p>
        )}
      </ClientFields>
      <FormFooter onCancel={onClose} submitLabel="Register client" disabled={owners.length === 0} pending={create.isPending} pendingLabel="Registering…" />
    </form>
  );
}
