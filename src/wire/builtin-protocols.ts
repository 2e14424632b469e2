/**
 * The parts of libvirt's RPC layer every libvirt program shares, as .x text: the message
 * header's enums, the error every program replies with (`virNetMessageError`, laid out as
 * `remote_error`), stream holes (virnetprotocol.x) and the keepalive program
 * (virkeepaliveprotocol.x). Built in so `decode`, `encode` and `trace` need only the user's
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

export interface BuiltinProtocols {
  readonly virnet: ProtocolModel;
  readonly keepalive: ProtocolModel;
}

let loaded: BuiltinProtocols | undefined;

export function builtinProtocols(): BuiltinProtocols {
  if (loaded) return loaded;
  const texts: Record<string, string> = {
    "<builtin>/virnetprotocol.x": VIRNET_X,
    "<builtin>/virkeepaliveprotocol.x": KEEPALIVE_X,
  };
  const [virnet, keepalive] = loadProtocols(Object.keys(texts), {
    libvirtDefines: false,
    readFile: (p) => texts[p] ?? "",
  });
  loaded = { virnet: virnet!, keepalive: keepalive! };
  return loaded;
}
