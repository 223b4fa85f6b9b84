"use client";

import Link from "next/link";
import { useId, useState, type ChangeEvent, type FormEvent, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from "react";
import type { FormErrors } from "@/app/_lib/auth-errors";

/** Label, hint and error around one control, wired together for assistive technology. */
function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: string;
  children: (control: { id: string; "aria-invalid"?: true; "aria-describedby"?: string }) => ReactNode;
}) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ");
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children({ id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy || undefined })}
      {hint && !error ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-xs text-red-600">
          {error}
        </p>
      ) : null}
    </div>
  );
}

const CONTROL_CLASS =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none read-only:bg-slate-50 read-only:text-slate-600 focus:border-brand-600 focus:ring-2 focus:ring-brand-600/30 aria-invalid:border-red-500";

interface FieldProps {
  label: string;
  error?: string;
  hint?: ReactNode;
}

export function TextField({ label, error, hint, ...input }: FieldProps & Omit<InputHTMLAttributes<HTMLInputElement>, "id">) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(control) => <input {...control} className={CONTROL_CLASS} {...input} />}
    </Field>
  );
}

export function TextAreaField({
  label,
  error,
  hint,
  ...textarea
}: FieldProps & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id">) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(control) => <textarea {...control} className={CONTROL_CLASS} {...textarea} />}
    </Field>
  );
}

/** The server's messages by field, as zod's flattened issues carry them. */
export type FieldErrors = Partial<Record<string, string[] | undefined>> | undefined;

export function firstError(errors: FieldErrors, field: string): string | undefined {
  return errors?.[field]?.[0];
}

type TextKeys<Values> = { [Key in keyof Values]: Values[Key] extends string ? Key : never }[keyof Values] & string;

/**
 * Binds text fields to a form's values: `field("name")` gives a TextField or TextAreaField its name,
 * value, change handler and the server's first message for it.
 */
export function textFieldBinder<Values>(values: Values, onChange: (change: Partial<Values>) => void, errors: FieldErrors) {
  return (name: TextKeys<Values>) => ({
    name,
    value: values[name] as string,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => onChange({ [name]: event.target.value } as Partial<Values>),
    error: firstError(errors, name),
  });
}

/**
 * A checkbox with its label beside it and, where there is one, a hint (or the error, in its place)
 * below the label. `item` makes it a list item, for a list of choices.
 */
export function CheckboxField({
  label,
  hint,
  error,
  checked,
  onChange,
  disabled,
  item = false,
  labelClassName = "text-sm font-medium text-slate-700",
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  item?: boolean;
  labelClassName?: string;
}) {
  const id = useId();
  const note = error ?? hint;
  const Wrapper = item ? "li" : "div";
  const labelElement = (
    <label htmlFor={id} className={labelClassName}>
      {label}
    </label>
  );
  return (
    <Wrapper className="flex items-start gap-2">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
        aria-invalid={error ? true : undefined}
        aria-describedby={note ? `${id}-hint` : undefined}
        className="mt-0.5 size-4 rounded border-slate-300 text-brand-600 accent-brand-600"
      />
      {note ? (
        <div>
          {labelElement}
          <p id={`${id}-hint`} className={`text-xs ${error ? "text-red-600" : "text-slate-500"}`}>
            {note}
          </p>
        </div>
      ) : (
        labelElement
      )}
    </Wrapper>
  );
}

export function SubmitButton({ pending, children, pendingLabel }: { pending: boolean; children: ReactNode; pendingLabel: string }) {
  return (
    <button
      type="submit"
      disabled={pending}
      aria-busy={pending}
      className="w-full rounded-md bg-primary px-3 py-2 text-sm font-semibold text-on-fill shadow-sm hover:bg-primary-hover focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 disabled:cursor-wait disabled:opacity-70"
    >
      {pending ? pendingLabel : children}
    </button>
  );
}

export function FormAlert({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
      {message}
    </div>
  );
}

/** A short line saying an action worked, next to its button and announced as a status; nothing until `shown`. */
export function SuccessNote({ shown, children }: { shown: boolean; children: ReactNode }) {
  if (!shown) return null;
  return (
    <p role="status" className="text-sm text-green-700">
      {children}
    </p>
  );
}

type TextFieldProps = Omit<Parameters<typeof TextField>[0], "name" | "type" | "label"> & { label?: string };

export function NameField({ label = "Name", ...props }: TextFieldProps) {
  return <TextField label={label} name="name" autoComplete="name" {...props} />;
}

export function EmailField({ label = "Email", ...props }: TextFieldProps) {
  return <TextField label={label} name="email" type="email" autoComplete="email" required {...props} />;
}

/** A password being chosen: the browser offers to generate and save it, and the hint states the rule. */
export function NewPasswordField({ label = "Password", name = "password", ...props }: TextFieldProps & { name?: string }) {
  return <TextField label={label} name={name} type="password" autoComplete="new-password" required hint="At least 12 characters." {...props} />;
}

/** Who a new account is for and its password: the fields of sign-up and of the first owner's setup. */
export function NewAccountFields({ errors }: { errors: FormErrors }) {
  return (
    <>
      <NameField required error={errors.fields.name} />
      <EmailField error={errors.fields.email} />
      <NewPasswordField error={errors.fields.password} />
    </>
  );
}

/** The answer that replaces a form once it has done its work, with where to go next. */
export function DoneNotice({ children, next }: { children: ReactNode; next?: { href: string; label: string } }) {
  return (
    <div className="space-y-3">
      <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
        {children}
      </p>
      {next ? (
        <p className="text-sm">
          <Link href={next.href} className="font-medium text-brand-600 hover:underline">
            {next.label}
          </Link>
        </p>
      ) : null}
    </div>
  );
}

const NO_ERRORS: FormErrors = { fields: {} };

/** A submitted field's text; an absent field reads as empty, which the server then refuses by name. */
export function fieldText(form: FormData, name: string): string {
  return String(form.get(name) ?? "");
}

/**
 * The submit cycle every sign-in page form shares: one request at a time, errors cleared on each
 * try. `submit` resolves to the errors to show, or null on success; the form stays busy after a
 * success, because what follows is a navigation or an answer that replaces the form.
 */
export function useFormSubmission(submit: (form: FormData) => Promise<FormErrors | null>) {
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setErrors(NO_ERRORS);
    const failure = await submit(form);
    if (failure) {
      setErrors(failure);
      setPending(false);
    }
  }
  return { pending, errors, setErrors, onSubmit };
}
