/**
 * Passkey failures in words. The browser reports a cancelled or timed-out ceremony as a bare
 * NotAllowedError (SimpleWebAuthn passes it through), and the plugin's own messages are terse
 * ("Auth cancelled", "Passkey not found"), so the codes are mapped here for both the sign-in page
 * and Account > Security. No server imports: client components use this file.
 */

type PasskeyError = { code?: string; message?: string; status?: number };

const CANCELLED_CODES = new Set(["AUTH_CANCELLED", "ERROR_CEREMONY_ABORTED", "ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY"]);

const SIGN_IN_MESSAGES: Record<string, string> = {
  PASSKEY_NOT_FOUND: "That passkey is not registered with Gatehouse. It may have been removed: sign in with your password instead.",
  AUTHENTICATION_FAILED: "The passkey could not be verified. Try again, or sign in with your password.",
  CHALLENGE_NOT_FOUND: "The passkey request expired. Try again.",
  ERROR_INVALID_DOMAIN: "Passkeys do not work on this address. Open Gatehouse at its usual address and try again.",
  ERROR_INVALID_RP_ID: "Passkeys do not work on this address. Open Gatehouse at its usual address and try again.",
};

const REGISTRATION_MESSAGES: Record<string, string> = {
  ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED: "This device already holds a passkey for your account.",
  SESSION_NOT_FRESH: "For your security, adding a passkey needs a recent sign-in. Sign out, sign in again and retry.",
  CHALLENGE_NOT_FOUND: "The passkey request expired. Try again.",
  FAILED_TO_VERIFY_REGISTRATION: "The passkey could not be verified, so it was not added. Try again.",
  ERROR_INVALID_DOMAIN: "Passkeys do not work on this address. Open Gatehouse at its usual address and try again.",
  ERROR_INVALID_RP_ID: "Passkeys do not work on this address. Open Gatehouse at its usual address and try again.",
};

function tooManyAttempts(error: PasskeyError): string | undefined {
  return error.status === 429 ? "Too many attempts. Wait a moment and try again." : undefined;
}

export function passkeySignInErrorMessage(error: PasskeyError): string {
  if (error.code && CANCELLED_CODES.has(error.code)) {
    return "No passkey was used: the request was cancelled, timed out, or this device has no passkey for Gatehouse. Try again or sign in with your password.";
  }
  return (
    tooManyAttempts(error) ??
    (error.code ? SIGN_IN_MESSAGES[error.code] : undefined) ??
    error.message ??
    "Signing in with a passkey did not work. Try again, or sign in with your password."
  );
}

export function passkeyRegistrationErrorMessage(error: PasskeyError): string {
  if (error.code && CANCELLED_CODES.has(error.code)) {
    return "No passkey was added: the request was cancelled or timed out in the browser.";
  }
  return (
    tooManyAttempts(error) ??
    (error.code ? REGISTRATION_MESSAGES[error.code] : undefined) ??
    error.message ??
    "The passkey could not be added. Try again."
  );
}
