import { TRPCClientError, type TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { AppRouter } from "@/server/trpc/root";

/** Shows the step-up prompt; resolves true once the user has confirmed who they are, false if they gave up. */
export type StepUpPrompt = (reason: string) => Promise<boolean>;

let prompt: StepUpPrompt | null = null;
let pending: Promise<boolean> | null = null;

/** The console's dialog registers itself here; pages without it simply see the error. */
export function registerStepUpPrompt(next: StepUpPrompt | null): void {
  prompt = next;
}

function askForStepUp(reason: string): Promise<boolean> {
  if (!prompt) return Promise.resolve(false);
  // Several refused mutations at once share one prompt.
  pending ??= prompt(reason).finally(() => {
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
            void askForStepUp(error.message).then((confirmed) => {
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
