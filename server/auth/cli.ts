/**
 * Entry for the better-auth schema generator (`npm run auth:schema`). It needs an instance with
 * the same plugins as the app; the database behind it is never touched.
 */
import { createDatabase } from "@/db/client";
import { createAuth } from "./auth";

export const auth = createAuth({
  db: createDatabase("file::memory:").db,
  publicUrl: "http://localhost:3000",
  secret: "schema-generation-only-secret-value-000000",
  signup: "open",
  generatingSchema: true,
});
