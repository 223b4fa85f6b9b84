/**
 * `npm run build`: the production build alone, touching no database and writing no secret, recorded
 * so that `npm start` (on this machine or in an image made from this folder) serves it without
 * building again. Configuration (PORT, PUBLIC_URL, the database, the secret) is read when each
 * instance starts, never baked in.
 */
import { buildProduction } from "./build-fingerprint";

process.exit(await buildProduction(process.env));
