/**
 * Credentials for authentication, gathered as libvirt's remote driver gathers them
 * (remoteAuthInteract): what the caller gave up front, then auth.conf, then the caller's
 * callback (libvirt's `virConnectAuth`) for whatever is still missing, asked in one batch.
 */
import { AuthConfig } from "./auth-config.js";

/** `virConnectCredentialType` (libvirt.h). */
export const VIR_CRED_USERNAME = 1;
export const VIR_CRED_AUTHNAME = 2;
export const VIR_CRED_LANGUAGE = 3;
export const VIR_CRED_CNONCE = 4;
export const VIR_CRED_PASSPHRASE = 5;
export const VIR_CRED_ECHOPROMPT = 6;
export const VIR_CRED_NOECHOPROMPT = 7;
export const VIR_CRED_REALM = 8;
export const VIR_CRED_EXTERNAL = 9;

/** One credential asked for (`virConnectCredential`); the callback sets `result`. */
export interface ConnectCredential {
  /** `VIR_CRED_*`. */
  readonly type: number;
  readonly prompt: string;
  readonly challenge?: string | undefined;
  readonly defresult?: string | undefined;
  result?: string | undefined;
}

/** How to authenticate (all optional; see the README's Authentication section). */
export interface ConnectAuth {
  /** Login name (SASL authentication id, `VIR_CRED_AUTHNAME`). */
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** Identity to act as when it differs from `username` (SASL authzid, `VIR_CRED_USERNAME`). */
  readonly authzid?: string | undefined;
  readonly realm?: string | undefined;
  /** Asked for what is still missing, like `virConnectAuth.cb`: set `result` on each. */
  readonly callback?:
    ((credentials: ConnectCredential[]) => void | Promise<void>) | undefined;
  /** auth.conf to read (default: URI `authfile=`, `$LIBVIRT_AUTH_FILE`, …); false: none. */
  readonly authFile?: string | false | undefined;
  /**
   * Which of the server's authentication types to use, like the URI's `auth=`: `sasl`,
   * `sasl.<MECHANISM>` (e.g. `sasl.SCRAM-SHA-256`) or `polkit`. Default: the server's first.
   */
  readonly type?: string | undefined;
}

/** auth.conf key for each credential type (remoteAuthFillFromConfig). */
const CONFIG_KEY: Readonly<Record<number, string>> = {
  [VIR_CRED_USERNAME]: "username",
  [VIR_CRED_AUTHNAME]: "authname",
  [VIR_CRED_PASSPHRASE]: "password",
  [VIR_CRED_REALM]: "realm",
};

export interface CredentialRequest {
  readonly type: number;
  readonly prompt: string;
  /** May stay unanswered (e.g. the authzid). */
  readonly optional?: boolean;
  readonly defresult?: string;
}

export class CredentialSource {
  private config: AuthConfig | null | undefined;

  constructor(
    private readonly auth: ConnectAuth,
    /** Host name for auth.conf lookups (`localhost` without one). */
    private readonly host: string,
    /** The URI's `authfile=`. */
    private readonly uriAuthFile: string | undefined,
  ) {}

  /** Answers to `requests`, in order; throws when a required one has no answer. */
  async get(
    requests: readonly CredentialRequest[],
  ): Promise<(string | undefined)[]> {
    const answers = requests.map((r) => this.known(r.type));
    const missing = requests
      .map((r, i) => ({ r, i }))
      .filter(({ i }) => answers[i] === undefined);
    if (missing.length && this.auth.callback) {
      const creds: ConnectCredential[] = missing.map(({ r }) => ({
        type: r.type,
        prompt: r.prompt,
        defresult: r.defresult,
        result: undefined,
      }));
      await this.auth.callback(creds);
      missing.forEach(({ i }, k) => (answers[i] = creds[k]!.result));
    }
    const unanswered = requests.filter(
      (r, i) => answers[i] === undefined && !r.optional,
    );
    if (unanswered.length)
      throw new Error(
        `authentication failed: no ${unanswered.map((r) => r.prompt.toLowerCase()).join(" and no ")} given (pass auth: { username, password } or a callback, or use an auth.conf)`,
      );
    return answers;
  }

  private known(type: number): string | undefined {
    const a = this.auth;
    const given =
      type === VIR_CRED_AUTHNAME
        ? a.username
        : type === VIR_CRED_PASSPHRASE
          ? a.password
          : type === VIR_CRED_USERNAME
            ? a.authzid
            : type === VIR_CRED_REALM
              ? a.realm
              : undefined;
    if (given !== undefined) return given;
    const key = CONFIG_KEY[type];
    const config = this.loadConfig();
    return key && config ? config.lookup("libvirt", this.host, key) : undefined;
  }

  private loadConfig(): AuthConfig | null {
    if (this.config !== undefined) return this.config;
    const file =
      this.auth.authFile === false
        ? null
        : AuthConfig.locate(this.auth.authFile ?? this.uriAuthFile);
    this.config = file ? AuthConfig.load(file) : null;
    return this.config;
  }
}
