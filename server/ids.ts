import { z } from "zod";

/**
 * The one id schema of every input. Row ids are UUIDs or short slugs; a client id can be a client ID
 * metadata document's URL, so the bound is what such an id needs and nothing more.
 */
export const ID_MAX_LENGTH = 200;

/** `what` names the id in messages: idSchema("client id") asks to "Give a client id." */
export function idSchema(what = "id") {
  const named = `${/^[aeiou]/i.test(what) ? "an" : "a"} ${what}`;
  return z
    .string(`Give ${named}.`)
    .min(1, `Give ${named}.`)
    .max(ID_MAX_LENGTH, `${named.charAt(0).toUpperCase()}${named.slice(1)} is at most ${ID_MAX_LENGTH} characters.`);
}
