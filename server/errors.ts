import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";

/** Expected failures, each with the tRPC code and HTTP status it surfaces as. */
const DOMAIN_ERRORS = {
  INVALID_INPUT: { trpc: "BAD_REQUEST", http: 400 },
  SETUP_COMPLETE: { trpc: "NOT_FOUND", http: 404 },
  SETUP_TOKEN_INVALID: { trpc: "FORBIDDEN", http: 403 },
  EMAIL_TAKEN: { trpc: "CONFLICT", http: 409 },
} as const satisfies Record<string, { trpc: TRPC_ERROR_CODE_KEY; http: number }>;

export type DomainErrorCode = keyof typeof DOMAIN_ERRORS;

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  /** Messages per input field, for forms that show errors next to the control. */
  readonly fields: Record<string, string> | undefined;

  constructor(code: DomainErrorCode, message: string, fields?: Record<string, string>) {
    super(message);
    this.name = "DomainError";
    this.code = code;
    this.fields = fields;
  }

  get httpStatus(): number {
    return DOMAIN_ERRORS[this.code].http;
  }

  get trpcCode(): TRPC_ERROR_CODE_KEY {
    return DOMAIN_ERRORS[this.code].trpc;
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, fields: this.fields } };
  }
}
