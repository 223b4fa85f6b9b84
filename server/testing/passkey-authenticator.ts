import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type { Auth } from "@/server/auth/auth";
import { authRequest, cookieHeader } from "./auth";

/**
 * A software WebAuthn authenticator (one P-256 credential, "none" attestation), so that tests drive
 * better-auth's real passkey ceremonies over HTTP the way a browser with a platform authenticator
 * would. The Playwright journey uses Chromium's virtual authenticator instead.
 */

/** Just enough CBOR (RFC 8949) for an attestation object and a COSE key: maps, byte and text strings, integers. */
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
  throw new Error("CBOR item too long for this encoder.");
}

function cbor(value: Cbor): Buffer {
  if (typeof value === "number") return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  return Buffer.concat([cborHead(5, value.size), ...[...value].flatMap(([key, item]) => [cbor(key), cbor(item)])]);
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest();
const base64url = (data: Buffer) => data.toString("base64url");

/** Authenticator data flags: user present, user verified, attested credential data included. */
const USER_PRESENT = 0x01;
const USER_VERIFIED = 0x04;
const ATTESTED_CREDENTIAL = 0x40;

export class SoftwareAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private signCount = 0;

  constructor(private readonly origin: string) {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" }));
  }

  get id(): string {
    return base64url(this.credentialId);
  }

  private authenticatorData(rpId: string, flags: number, attested?: Buffer): Buffer {
    this.signCount += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.signCount);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), counter, ...(attested ? [attested] : [])]);
  }

  private clientData(type: "webauthn.create" | "webauthn.get", challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
  }

  /** The browser's answer to `navigator.credentials.create` with the server's registration options. */
  attestation(options: { challenge: string; rp: { id: string } }) {
    const jwk = this.publicKey.export({ format: "jwk" });
    const coseKey = new Map<Cbor, Cbor>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x!, "base64url")],
      [-3, Buffer.from(jwk.y!, "base64url")],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, cbor(coseKey)]);
    const authData = this.authenticatorData(options.rp.id, USER_PRESENT | USER_VERIFIED | ATTESTED_CREDENTIAL, attested);
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authData],
      ]),
    );
    return this.credential({
      clientDataJSON: base64url(this.clientData("webauthn.create", options.challenge)),
      attestationObject: base64url(attestationObject),
      transports: ["internal"],
    });
  }

  /** The browser's answer to `navigator.credentials.get` with the server's authentication options. */
  assertion(options: { challenge: string; rpId: string }) {
    const authData = this.authenticatorData(options.rpId, USER_PRESENT | USER_VERIFIED);
    const clientData = this.clientData("webauthn.get", options.challenge);
    const signature = sign("sha256", Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    return this.credential({
      clientDataJSON: base64url(clientData),
      authenticatorData: base64url(authData),
      signature: base64url(signature),
    });
  }

  /** The PublicKeyCredential envelope a browser hands back, around an attestation or assertion `response`. */
  private credential<R>(response: R) {
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key" as const,
      authenticatorAttachment: "platform" as const,
      clientExtensionResults: {},
      response,
    };
  }
}

function withCookie(cookie: string, response: Response): string {
  const set = cookieHeader(response);
  return set ? `${cookie}; ${set}` : cookie;
}

/**
 * Adds a passkey to the signed-in account through better-auth's two registration requests, as the
 * console's "Add passkey" does. Returns both answers; the second is absent when the first was refused.
 */
export async function registerPasskey(auth: Auth, cookie: string, authenticator: SoftwareAuthenticator, name = "Test key") {
  const options = await authRequest(auth, `/passkey/generate-register-options?name=${encodeURIComponent(name)}`, { cookie });
  if (!options.ok) return { options, verified: undefined };
  const challenge = (await options.json()) as { challenge: string; rp: { id: string } };
  const verified = await authRequest(auth, "/passkey/verify-registration", {
    body: { response: authenticator.attestation(challenge), name },
    cookie: withCookie(cookie, options),
  });
  return { options, verified };
}

/** Signs in with the passkey, as the sign-in page's "Use a passkey" does; the response carries the new session's cookie. */
export async function passkeySignIn(auth: Auth, authenticator: SoftwareAuthenticator): Promise<Response> {
  const options = await authRequest(auth, "/passkey/generate-authenticate-options");
  if (!options.ok) throw new Error(`passkey sign-in could not start: ${options.status} ${await options.text()}`);
  const challenge = (await options.json()) as { challenge: string; rpId: string };
  return authRequest(auth, "/passkey/verify-authentication", {
    body: { response: authenticator.assertion(challenge) },
    cookie: cookieHeader(options),
  });
}
