/** Which form field a better-auth error code belongs to, so the message shows next to it. */
const FIELD_OF_CODE: Record<string, string> = {
  INVALID_EMAIL: "email",
  USER_ALREADY_EXISTS: "email",
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: "email",
  PASSWORD_TOO_SHORT: "password",
  PASSWORD_TOO_LONG: "password",
  PASSWORD_TOO_COMMON: "password",
};

export interface FormErrors {
  form?: string;
  fields: Record<string, string>;
}

export function authFormErrors(error: { code?: string; message?: string; status?: number }): FormErrors {
  // Gatehouse's 429s say how long to wait (rate limits and the MFA lockouts alike).
  const message =
    error.status === 429
      ? error.message || "Too many attempts. Wait a moment and try again."
      : error.message || "Something went wrong. Try again.";
  const field = error.code ? FIELD_OF_CODE[error.code] : undefined;
  return field ? { fields: { [field]: message } } : { form: message, fields: {} };
}

interface JsonErrorBody {
  error?: { message?: string; fields?: Record<string, string> };
}

/**
 * Posts a form's values as JSON to one of Gatehouse's own routes (setup, invitation) and turns a
 * refusal into form errors: messages about fields the form shows go next to them, anything else
 * (a bad link, a network failure) into the form's alert. Resolves to null on success.
 */
export async function postJsonForm(url: string, body: unknown, shownFields: readonly string[]): Promise<FormErrors | null> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  }).catch(() => null);
  if (response?.ok) return null;
  const parsed = (await response?.json().catch(() => null)) as JsonErrorBody | null;
  const fields = parsed?.error?.fields ?? {};
  const otherField = Object.entries(fields).find(([field]) => !shownFields.includes(field));
  const shownInline = Object.keys(fields).some((field) => shownFields.includes(field));
  return {
    form: otherField?.[1] ?? (shownInline ? undefined : (parsed?.error?.message ?? "The server could not be reached. Try again.")),
    fields,
  };
}

