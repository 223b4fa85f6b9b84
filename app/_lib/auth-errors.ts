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
  const message =
    error.status === 429
      ? "Too many attempts. Wait a moment and try again."
      : error.message || "Something went wrong. Try again.";
  const field = error.code ? FIELD_OF_CODE[error.code] : undefined;
  return field ? { fields: { [field]: message } } : { form: message, fields: {} };
}
