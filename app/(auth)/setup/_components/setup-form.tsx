"use client";

import { useRouter } from "next/navigation";
import { FormAlert, NewAccountFields, SubmitButton, fieldText, useFormSubmission } from "@/app/_components/form";
import { postJsonForm } from "@/app/_lib/auth-errors";

export function SetupForm({ token }: { token: string }) {
  const router = useRouter();
  const { pending, errors, onSubmit } = useFormSubmission(async (form) => {
    const failure = await postJsonForm(
      "/api/setup",
      { token, name: fieldText(form, "name"), email: fieldText(form, "email"), password: fieldText(form, "password") },
      ["name", "email", "password"],
    );
    if (failure) return failure;
    router.replace("/");
    router.refresh();
    return null;
  });

  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormAlert message={errors.form} />
      <NewAccountFields errors={errors} />
      <SubmitButton pending={pending} pendingLabel="Creating owner…">
        Create owner account
      </SubmitButton>
    </form>
  );
}
