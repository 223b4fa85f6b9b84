import { TRPCClientError, type TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { AppRouter } from "@/server/trpc/root";

/**
 * What the server asked for: why, and whether a second factor must be part of the proof (adding a
 * factor to an account that has one), in which case the password alone is not offered.
 */
export interface StepUpRequest {
  reason: string;
  secondFactor: boolean;
}

/** Shows the step-up prompt; resolves true once the user has confirmed who they are, false if they gave up. */
export type StepUpPrompt = (request: StepUpRequest) => Promise<boolean>;

let prompt: StepUpPrompt | null = null;
let pending: Promise<boolean> | null = null;

/** The console's dialog registers itself here; pages without it simply see the error. */
export function registerStepUpPrompt(next: StepUpPrompt | null): void {
  prompt = next;
}

function askForStepUp(request: StepUpRequest): Promise<boolean> {
  if (!prompt) return Promise.resolve(false);
  // Several refused mutations at once share one prompt.
  pending ??= prompt(request).finally(() => {
    pending = null;
  });
  return pending;
}

function needsStepUp(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError && (error.data as { reason?: string } | undefined)?.reason === "REAUTH_REQUIRED";
}

/**
 * A mutation refused for want of a recent sign-in is retried once after the user confirms their
 * password or a code, so no form has to know about step-up.
 */
export function stepUpLink(): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let subscription: Unsubscribable | null = null;
        let closed = false;
        subscription = next(op).subscribe({
          next: (value) => observer.next(value),
          complete: () => observer.complete(),
          error: (error) => {
            if (op.type !== "mutation" || !needsStepUp(error)) {
              observer.error(error);
              return;
            }
            void askForStepUp({ reason: error.message, secondFactor: false }).then((confirmed) => {
              if (closed) return;
              if (!confirmed) observer.error(error);
              else subscription = next(op).subscribe(observer);
            });
          },
        });
        return () => {
          closed = true;
          subscription?.unsubscribe();
        };
      });
}

/** How better-auth's client reports a refused request: the JSON body's fields, with the status. */
interface AuthClientError {
  code?: string;
  message?: string;
  secondFactor?: boolean;
}

/**
 * The same for better-auth's own endpoints (adding a passkey, setting up an authenticator app, new
 * backup codes, deleting the last passkey): a call refused with `REAUTH_REQUIRED` is made once more
 * after the user confirms who they are. If they give up, the refusal is returned as it was.
 */
export async function withStepUp<Result extends { error?: AuthClientError | null } | undefined>(call: () => Promise<Result>): Promise<Result> {
  const first = await call();
  const error = first?.error;
  if (error?.code !== "REAUTH_REQUIRED") return first;
  const confirmed = await askForStepUp({
    reason: error.message ?? "This change needs a recent sign-in. Confirm it is you.",
    secondFactor: error.secondFactor === true,
  });
  return confirmed ? call() : first;
}
