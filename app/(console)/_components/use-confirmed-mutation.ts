"use client";

import { useMutation, type UseMutationOptions } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";

/**
 * A mutation on one row that runs only after a confirmation: `ask(row)` opens the dialog (clearing the
 * last attempt's error), `dialog` is spread onto <ConfirmDialog>, and success closes it before
 * `onSuccess` (invalidating, telling the person) runs. `success` is what a toast then says was done.
 */
export function useConfirmedMutation<Target, TData, TError extends { message: string }, TVariables, TContext>({
  mutation: options,
  variables,
  onSuccess,
  success,
}: {
  mutation: UseMutationOptions<TData, TError, TVariables, TContext>;
  variables: (target: Target) => TVariables;
  onSuccess?: (data: TData) => unknown;
  success?: string | ((target: Target, data: TData) => string);
}) {
  const [target, setTarget] = useState<Target | null>(null);
  const mutation = useMutation({
    ...options,
    onSuccess: async (data: TData) => {
      const done = target;
      setTarget(null);
      if (success && done !== null) toast.success(typeof success === "string" ? success : success(done, data));
      await onSuccess?.(data);
    },
  });
  return {
    target,
    mutation,
    ask: (next: Target) => {
      mutation.reset();
      setTarget(next);
    },
    dialog: {
      open: target !== null,
      onCancel: () => setTarget(null),
      onConfirm: () => {
        if (target !== null) mutation.mutate(variables(target));
      },
      pending: mutation.isPending,
      error: mutation.error?.message,
    },
  };
}

/**
 * The props of a <ConfirmDialog> that runs `mutation` with `variables` once confirmed, showing it
 * under way and its refusal.
 */
export function confirming<TVariables>(
  mutation: { mutate: (variables: TVariables) => void; isPending: boolean; error: { message: string } | null },
  variables: TVariables,
) {
  return { onConfirm: () => mutation.mutate(variables), pending: mutation.isPending, error: mutation.error?.message };
}
