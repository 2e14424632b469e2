/**
 * The parts of libvirt's RPC layer every libvirt program shares, as .x text: the message
 * header's enums, the error every program replies with (`virNetMessageError`, laid out as
 * `remote_error`), stream holes (virnetprotocol.x) and the keepalive program
 * (virkeepaliveprotocol.x), and RFC 5531's `rpc_msg` for plain ONC RPC programs. Built in so `decode`, `encode` and `trace` need only the user's
 * protocol files; loaded through the same parser and model as they are.
 */
import { loadProtocols, type ProtocolModel } from "../model/index.js";

const VIRNET_X = `
const VIR_NET_MESSAGE_STRING_MAX = 4194304;
enum virNetMessageType {
  VIR_NET_CALL = 0, VIR_NET_REPLY = 1, VIR_NET_MESSAGE = 2, VIR_NET_STREAM = 3,
  VIR_NET_CALL_WITH_FDS = 4, VIR_NET_REPLY_WITH_FDS = 5, VIR_NET_STREAM_HOLE = 6
};
enum virNetMessageStatus { VIR_NET_OK = 0, VIR_NET_ERROR = 1, VIR_NET_CONTINUE = 2 };
struct virNetMessageHeader {
  unsigned prog; unsigned vers; int proc; virNetMessageType type; unsigned serial;
  virNetMessageStatus status;
};
typedef opaque virNetMessageUUID[16];
typedef string virNetMessageNonnullString<VIR_NET_MESSAGE_STRING_MAX>;
typedef virNetMessageNonnullString *virNetMessageString;
struct virNetMessageNonnullDomain { virNetMessageNonnullString name; virNetMessageUUID uuid; int id; };
struct virNetMessageNonnullNetwork { virNetMessageNonnullString name; virNetMessageUUID uuid; };
typedef virNetMessageNonnullDomain *virNetMessageDomain;
typedef virNetMessageNonnullNetwork *virNetMessageNetwork;
struct virNetMessageError {
  int code; int domain; virNetMessageString message; int level; virNetMessageDomain dom;
  virNetMessageString str1; virNetMessageString str2; virNetMessageString str3;
  int int1; int int2; virNetMessageNetwork net;
};
struct virNetStreamHole { hyper length; unsigned int flags; };
`;

const KEEPALIVE_X = `
const KEEPALIVE_PROGRAM = 0x6b656570;
const KEEPALIVE_PROTOCOL_VERSION = 1;
enum keepalive_procedure { KEEPALIVE_PROC_PING = 1, KEEPALIVE_PROC_PONG = 2 };
`;

/** RFC 5531's message (§9); `flavor` is a plain number, as new flavors are registered often. */
const ONC_RPC_X = `
const ONC_MAX_AUTH_BYTES = 400;
enum msg_type { CALL = 0, REPLY = 1 };
enum reply_stat { MSG_ACCEPTED = 0, MSG_DENIED = 1 };
enum accept_stat {
  SUCCESS = 0, PROG_UNAVAIL = 1, PROG_MISMATCH = 2, PROC_UNAVAIL = 3, GARBAGE_ARGS = 4,
  SYSTEM_ERR = 5
};
enum reject_stat { RPC_MISMATCH = 0, AUTH_ERROR = 1 };
enum auth_stat {
  AUTH_OK = 0, AUTH_BADCRED = 1, AUTH_REJECTEDCRED = 2, AUTH_BADVERF = 3,
  AUTH_REJECTEDVERF = 4, AUTH_TOOWEAK = 5, AUTH_INVALIDRESP = 6, AUTH_FAILED = 7,
  AUTH_KERB_GENERIC = 8, AUTH_TIMEEXPIRE = 9, AUTH_TKT_FILE = 10, AUTH_DECODE = 11,
  AUTH_NET_ADDR = 12, RPCSEC_GSS_CREDPROBLEM = 13, RPCSEC_GSS_CTXPROBLEM = 14
};
struct opaque_auth { unsigned int flavor; opaque body<ONC_MAX_AUTH_BYTES>; };
struct call_body {
  unsigned int rpcvers; unsigned int prog; unsigned int vers; unsigned int proc;
  opaque_auth cred; opaque_auth verf;
};
struct mismatch_info { unsigned int low; unsigned int high; };
union accepted_reply_data switch (accept_stat stat) {
  case SUCCESS: void;
  case PROG_MISMATCH: mismatch_info mismatch_info;
  default: void;
};
struct accepted_reply { opaque_auth verf; accepted_reply_data reply_data; };
union rejected_reply switch (reject_stat reject_stat) {
  case RPC_MISMATCH: mismatch_info mismatch_info;
  case AUTH_ERROR: auth_stat stat;
};
union reply_body switch (reply_stat stat) {
  case MSG_ACCEPTED: accepted_reply areply;
  case MSG_DENIED: rejected_reply rreply;
};
union rpc_body switch (msg_type mtype) {
  case CALL: call_body cbody;
  case REPLY: reply_body rbody;
};
struct rpc_msg { unsigned int xid; rpc_body body; };
`;

export interface BuiltinProtocols {
  readonly virnet: ProtocolModel;
  readonly keepalive: ProtocolModel;
  readonly onc: ProtocolModel;
}

let loaded: BuiltinProtocols | undefined;

export function builtinProtocols(): BuiltinProtocols {
  if (loaded) return loaded;
  const texts: Record<string, string> = {
    "<builtin>/virnetprotocol.x": VIRNET_X,
    "<builtin>/virkeepaliveprotocol.x": KEEPALIVE_X,
    "<builtin>/rpc_msg.x": ONC_RPC_X,
  };
  const [virnet, keepalive, onc] = loadProtocols(Object.keys(texts), {
    libvirtDefines: false,
    readFile: (p) => texts[p] ?? "",
  });
  loaded = { virnet: virnet!, keepalive: keepalive!, onc: onc! };
  return loaded;
}
