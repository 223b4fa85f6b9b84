"use client";

import { useId, type ReactNode } from "react";
import { CheckboxField, TextAreaField, TextField, firstError, textFieldBinder, type FieldErrors } from "@/app/_components/form";
import { OAUTH_SCOPES, SCOPE_DESCRIPTIONS, type OAuthScope } from "@/server/shared/scopes";

/** The fields shared by "Register client" and "Edit client", and the helpers they need. */

export interface ClientFormValues {
  name: string;
  /** One URI a line, as typed. */
  redirectUris: string;
  scopes: OAuthScope[];
  logoUri: string;
  skipConsent: boolean;
}


/** The non-blank lines of the text area, with the line number each came from (1-based). */
export function parseRedirectUris(text: string): { uris: string[]; lines: number[] } {
  const uris: string[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const uri = line.trim();
    if (uri === "") return;
    uris.push(uri);
    lines.push(index + 1);
  });
  return { uris, lines };
}

/**
 * What is wrong with the redirect URIs, each problem named by its line when the server keys it by
 * the URI's index ("redirectUris.2"); otherwise the messages for the list as a whole.
 */
export function redirectUriError(errors: FieldErrors, sentLines: readonly number[]): string | undefined {
  const perLine = sentLines.flatMap((line, index) => (errors?.[`redirectUris.${index}`] ?? []).map((message) => `Line ${line}: ${message}`));
  const messages = perLine.length > 0 ? perLine : (errors?.redirectUris ?? []);
  return messages.length > 0 ? [...new Set(messages)].join(" ") : undefined;
}

/** A failed save's message for the top of the form; input problems are shown at their fields instead. */
export function formMessage(error: { message: string; data?: { fieldErrors?: unknown } | null } | null): string | undefined {
  if (!error) return undefined;
  return error.data?.fieldErrors ? "Some fields need a change; see the messages below them." : error.message;
}

export function ClientFields({
  values,
  onChange,
  errors,
  sentLines,
  canTrust,
  children,
}: {
  values: ClientFormValues;
  onChange: (change: Partial<ClientFormValues>) => void;
  errors: FieldErrors;
  /** The line numbers of the URIs in the last request, to place the server's messages. */
  sentLines: readonly number[];
  /** Marking a client trusted (no consent screen) needs clients:admin globally. */
  canTrust: boolean;
  /** Fields of one form only, placed before the trust toggle that may depend on them. */
  children?: ReactNode;
}) {
  const field = textFieldBinder(values, onChange, errors);
  const scopesError = firstError(errors, "scopes");
  const scopesErrorId = useId();
  return (
    <>
      <TextField
        label="Name"
        {...field("name")}
        autoComplete="off"
        maxLength={100}
        required
        hint="Shown to people on the consent screen."
      />
      <TextAreaField
        label="Redirect URIs"
        {...field("redirectUris")}
        rows={3}
        spellCheck={false}
        autoComplete="off"
        placeholder="https://app.example.com/oauth/callback"
        required
        hint="One per line, matched exactly. https anywhere; plain http only on localhost, 127.0.0.1 or [::1]; a native app may use a reverse-domain scheme such as com.example.app:/callback."
        error={redirectUriError(errors, sentLines)}
      />
      <fieldset className="space-y-2" aria-describedby={scopesError ? scopesErrorId : undefined}>
        <legend className="text-sm font-medium text-slate-700">Scopes</legend>
        <p className="text-xs text-slate-500">
          What the client may ask for, up to what your own roles can use where it lives. People still consent to each request.
        </p>
        <ul className="space-y-2">
          {OAUTH_SCOPES.map((scope) => (
            <ScopeCheckbox
              key={scope}
              scope={scope}
              checked={values.scopes.includes(scope)}
              onChange={(checked) =>
                onChange({
                  scopes: checked
                    ? OAUTH_SCOPES.filter((candidate) => candidate === scope || values.scopes.includes(candidate))
                    : values.scopes.filter((candidate) => candidate !== scope),
                })
              }
            />
          ))}
        </ul>
        {scopesError ? (
          <p id={scopesErrorId} className="text-xs text-red-600">
            {scopesError}
          </p>
        ) : null}
      </fieldset>
      <TextField
        label="Logo URL (optional)"
        {...field("logoUri")}
        type="url"
        autoComplete="off"
        spellCheck={false}
        placeholder="https://app.example.com/logo.png"
        hint="An https image shown on the consent screen."
      />
      {children}
      {canTrust ? (
        <CheckboxField
          label="Trusted first-party app"
          hint="People are not asked for consent, whatever scopes it asks for. Only for apps you run yourself."
          checked={values.skipConsent}
          onChange={(skipConsent) => onChange({ skipConsent })}
        />
      ) : null}
    </>
  );
}

function ScopeCheckbox({ scope, checked, onChange }: { scope: OAuthScope; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <CheckboxField
      item
      label={scope}
      labelClassName="font-mono text-sm text-slate-900"
      hint={SCOPE_DESCRIPTIONS[scope]}
      checked={checked}
      onChange={onChange}
    />
  );
}
