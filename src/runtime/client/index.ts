/** The client side of the runtime: what generated `client.ts` files and their users import. */
export {
  RpcConnection,
  type CallOptions,
  type ConnectionOptions,
  type CallTarget,
  type ConnectionStats,
  type MessageHandler,
  type StreamEndpoint,
} from "../rpc/connection.js";
export {
  VirtStream,
  type StreamDirection,
  type StreamOptions,
  type StreamTarget,
} from "../rpc/streams.js";
export {
  type KeepaliveOptions,
  type KeepaliveStats,
} from "../rpc/keepalive.js";
export {
  openSocket,
  openTransport,
  describeTarget,
  type SocketTarget,
  type SocketOptions,
  type TransportTarget,
  type DuplexTarget,
  type TlsTarget,
  type TlsSettings,
  type SshTarget,
  type SshSettings,
  type LibsshTarget,
  type LibsshSettings,
  type ExtTarget,
} from "../rpc/transport.js";
export {
  chooseUnixSocket,
  uriDaemonFlags,
  type RemoteMode,
  type SocketContext,
  type DaemonFlags,
} from "../transports/local-socket.js";
export {
  sshProxyCommand,
  type SshProxy,
} from "../transports/ssh-proxy-command.js";
export { sshArgv } from "../transports/ssh.js";
export { mapTlsPriority } from "../transports/tls-priority.js";
export {
  locateTlsCredentials,
  type TlsCredentialFiles,
} from "../transports/tls-credentials.js";
export {
  VirtError,
  ConnectionClosedError,
  CallTimeoutError,
  RpcProtocolError,
  VIR_ERR_NO_SUPPORT,
  VIR_ERR_RPC,
  VIR_ERR_INTERNAL_ERROR,
  VIR_FROM_RPC,
  VIR_FROM_REMOTE,
  type VirtErrorFields,
} from "../rpc/virt-error.js";
export {
  VIR_ERROR_NUMBER_NAMES,
  VIR_ERROR_DOMAIN_NAMES,
} from "../rpc/virterror-names.js";
export {
  ProgramClient,
  type ClientProgram,
  type CallEntry,
  type CallSignature,
  type StreamReply,
  type StreamCallOptions,
  type Flags,
  flags,
  type ClientEventListener,
  type ReconnectOptions,
  type ReconnectEvent,
} from "./program-client.js";
export {
  EventSubscription,
  type EventFamilySpec,
  type EventHost,
} from "./event-subscription.js";
export {
  TYPED_PARAM,
  typedParamsToObject,
  typedParamsFromObject,
  typedParamsAll,
  typedParamValue,
  wireTypedParamValue,
  type TypedParamValue,
  type TypedParamType,
  type WireTypedParam,
  type WireTypedParamValue,
} from "./typed-params.js";
export {
  openSession,
  DEFAULT_KEEPALIVE,
  DEFAULT_CONNECT_TIMEOUT_MS,
  VIR_DRV_FEATURE_PROGRAM_KEEPALIVE,
  type HandshakeSpec,
  type ConnectOptions,
} from "./handshake.js";
export {
  parseLibvirtUri,
  LIBVIRTD_TCP_PORT,
  LIBVIRTD_TLS_PORT,
  type ConnectTarget,
  type UriContext,
} from "./uri.js";
export { type ClientConfig } from "./libvirt-conf.js";
export {
  AuthenticationError,
  REMOTE_AUTH_NONE,
  REMOTE_AUTH_SASL,
  REMOTE_AUTH_POLKIT,
  VIR_ERR_AUTH_FAILED,
} from "./auth/negotiate.js";
export {
  VIR_CRED_USERNAME,
  VIR_CRED_AUTHNAME,
  VIR_CRED_LANGUAGE,
  VIR_CRED_CNONCE,
  VIR_CRED_PASSPHRASE,
  VIR_CRED_ECHOPROMPT,
  VIR_CRED_NOECHOPROMPT,
  VIR_CRED_REALM,
  VIR_CRED_EXTERNAL,
  type ConnectAuth,
  type ConnectCredential,
} from "./auth/credentials.js";
export { AuthConfig } from "./auth/auth-config.js";
export { SaslError } from "./auth/mechanism.js";
export { type SecurityLayer } from "../rpc/security-layer.js";
