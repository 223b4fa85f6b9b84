"use client";

import { useId } from "react";
import { SelectField } from "@/app/(console)/_components/ui";
import { TextAreaField, TextField, firstError, textFieldBinder, type FieldErrors } from "@/app/_components/form";

/** The form fields shared by "Create domain" and a domain's settings, and the helpers they need. */

export type MfaPolicy = "off" | "optional" | "required";

export const MFA_POLICY_LABELS: Record<MfaPolicy, string> = { off: "Off", optional: "Optional", required: "Required" };

const MFA_POLICY_HINTS: Record<MfaPolicy, string> = {
  off: "This domain does not require a second factor; a role or another domain may still require one.",
  optional: "Members may set up a second factor.",
  required: "Members must set up a second factor before they can do anything else.",
};

/** What a slug may be (the server has the final word): lowercase letters, digits and inner hyphens. */
export function suggestSlug(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 63)
    .replace(/-+$/, "");
}

/** One email domain a line or comma separated, as people paste them. */
export function parseEmailDomains(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

export function formatEmailDomains(emailDomains: readonly string[]): string {
  return emailDomains.join("\n");
}

export interface DomainFormValues {
  name: string;
  slug: string;
  description: string;
  emailDomains: string;
  mfaPolicy: MfaPolicy;
}


/**
 * Name, slug and description for anyone who may write the domain; email domains and MFA policy only
 * for holders of domains:admin, and read-only for the others when the domain already exists.
 */
export function DomainFields({
  values,
  onChange,
  errors,
  canWrite,
  canAdmin,
  showAdminFieldsReadOnly,
}: {
  values: DomainFormValues;
  onChange: (change: Partial<DomainFormValues>) => void;
  errors: FieldErrors;
  canWrite: boolean;
  canAdmin: boolean;
  /** Shows email domains and MFA policy to those who may not change them (on an existing domain). */
  showAdminFieldsReadOnly: boolean;
}) {
  const readOnly = !canWrite;
  const adminReadOnly = !canAdmin || !canWrite;
  const showAdmin = canAdmin || showAdminFieldsReadOnly;
  const adminHint = adminReadOnly && canWrite ? " Changing this needs the domains:admin permission." : "";
  const field = textFieldBinder(values, onChange, errors);
  const mfaHintId = useId();
  const mfaError = firstError(errors, "mfaPolicy");
  return (
    <>
      <TextField
        label="Name"
        {...field("name")}
        readOnly={readOnly}
        autoComplete="off"
        maxLength={100}
        required
      />
      <TextField
        label="Slug"
        {...field("slug")}
        readOnly={readOnly}
        autoComplete="off"
        spellCheck={false}
        maxLength={63}
        required
        hint="The unique short name in links: lowercase letters, digits and hyphens, for example acme-eu."
      />
      <TextAreaField
        label="Description"
        {...field("description")}
        rows={2}
        readOnly={readOnly}
        maxLength={1000}
      />
      {showAdmin ? (
        <>
          <TextAreaField
            label="Email domains"
            {...field("emailDomains")}
            rows={3}
            readOnly={adminReadOnly}
            spellCheck={false}
            placeholder={adminReadOnly ? undefined : "example.com"}
            hint={`People who sign up with an address at one of these domains join this domain. One per line or comma separated, such as example.com.${adminHint}`}
          />
          <div className="space-y-1">
            <SelectField
              label="MFA policy"
              name="mfaPolicy"
              value={values.mfaPolicy}
              onChange={(event) => onChange({ mfaPolicy: event.target.value as MfaPolicy })}
              disabled={adminReadOnly}
              aria-invalid={mfaError ? true : undefined}
              aria-describedby={mfaHintId}
            >
              {(Object.keys(MFA_POLICY_LABELS) as MfaPolicy[]).map((policy) => (
                <option key={policy} value={policy}>
                  {MFA_POLICY_LABELS[policy]}
                </option>
              ))}
            </SelectField>
            <p id={mfaHintId} className={`text-xs ${mfaError ? "text-red-600" : "text-slate-500"}`}>
              {mfaError ?? `${MFA_POLICY_HINTS[values.mfaPolicy]}${adminHint}`}
            </p>
          </div>
        </>
      ) : null}
    </>
  );
}
