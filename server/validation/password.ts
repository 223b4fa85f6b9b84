import { z } from "zod";
import { COMMON_PASSWORDS } from "./common-passwords";

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

export function isCommonPassword(candidate: string): boolean {
  return COMMON_PASSWORDS.has(candidate.toLowerCase());
}

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`)
  .refine((value) => !isCommonPassword(value), "This password is too common. Choose one that is harder to guess.");

export const emailSchema = z.email("Enter a valid email address.").max(254).transform((value) => value.toLowerCase());

export const displayNameSchema = z.string().trim().min(1, "Enter a name.").max(100, "Use at most 100 characters.");
