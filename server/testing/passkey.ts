import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import type { Auth } from "@/server/auth/auth";
import { authRequest, cookieHeader } from "./auth";

/**
 * A software authenticator: registers a real passkey through better-auth's own endpoints, with a
 * fresh P-256 key and a "none" attestation, as a browser with a platform authenticator would.
 */

type Cbor = number | string | Uint8Array | Map<number | string, Cbor>;

function cborHead(major: number, length: number): Uint8Array {
  if (length < 24) return Uint8Array.of((major << 5) | length);
  if (length < 256) return Uint8Array.of((major << 5) | 24, length);
  return Uint8Array.of((major << 5) | 25, length >> 8, length & 0xff);
}

/** The few CBOR shapes WebAuthn needs: small integers, strings, byte strings and maps. */
function encodeCbor(value: Cbor): Buffer {
  if (typeof value === "number") return Buffer.from(value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value));
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  const parts: Buffer[] = [Buffer.from(cborHead(5, value.size))];
  for (const [key, inner] of value) parts.push(encodeCbor(key), encodeCbor(inner));
  return Buffer.concat(parts);
}

/**
 * Adds a passkey to the signed-in account behind `cookie`. Returns better-auth's answer to the
 * registration, so tests can see both success and refusal.
 */
export async function registerSoftwarePasskey(auth: Auth, cookie: string, name = "Software key"): Promise<Response> {
  const started = await authRequest(auth, "/passkey/generate-register-options", { cookie });
  if (!started.ok) throw new Error(`registration options failed: ${started.status} ${await started.text()}`);
  const options = (await started.json()) as { challenge: string; rp: { id: string } };
  const origin = new URL(auth.options.baseURL as string).origin;

  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const coseKey = new Map<number, Cbor>([
    [1, 2], // kty: EC2
    [3, -7], // alg: ES256
    [-1, 1], // crv: P-256
    [-2, Buffer.from(jwk.x!, "base64url")],
    [-3, Buffer.from(jwk.y!, "base64url")],
  ]);
  const credentialId = randomBytes(16);
  const authenticatorData = Buffer.concat([
    createHash("sha256").update(options.rp.id).digest(),
    Uint8Array.of(0x45), // user present, user verified, attested credential data
    Buffer.alloc(4), // sign count
    Buffer.alloc(16), // AAGUID
    Uint8Array.of(credentialId.length >> 8, credentialId.length & 0xff),
    credentialId,
    encodeCbor(coseKey),
  ]);
  const attestationObject = encodeCbor(
    new Map<string, Cbor>([
      ["fmt", "none"],
      ["attStmt", new Map()],
      ["authData", authenticatorData],
    ]),
  );
  const clientDataJSON = Buffer.from(JSON.stringify({ type: "webauthn.create", challenge: options.challenge, origin, crossOrigin: false }));

  return authRequest(auth, "/passkey/verify-registration", {
    cookie: [cookie, cookieHeader(started)].filter(Boolean).join("; "),
    body: {
      name,
      response: {
        id: credentialId.toString("base64url"),
        rawId: credentialId.toString("base64url"),
        type: "public-key",
        authenticatorAttachment: "platform",
        clientExtensionResults: {},
        response: {
          clientDataJSON: clientDataJSON.toString("base64url"),
          attestationObject: attestationObject.toString("base64url"),
          transports: ["internal"],
        },
      },
    },
  });
}
