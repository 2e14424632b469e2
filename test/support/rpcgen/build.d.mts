// Types for build.mjs (see there for the pipeline and cache layout).

export declare const REPO_ROOT: string;
export declare const DEFAULT_PROTOCOL_DIR: string;
export declare const ALL_PROTOCOLS: readonly [
  "remote_protocol",
  "qemu_protocol",
  "lxc_protocol",
  "admin_protocol",
  "virnetprotocol",
  "virkeepaliveprotocol",
  "lxc_monitor_protocol",
  "lock_protocol",
  "log_protocol",
];
export declare const HARNESS_MAIN_C: string;
export declare const TABLE_H: string;
export declare const LOOKUP_C: string;
export declare const CODEC_BENCH_C: string;

export interface RpcgenTools {
  readonly ok: boolean;
  /** Human-readable names of what is missing: 'rpcgen', 'gcc', 'pkg-config', 'libtirpc-dev'. */
  readonly missing: string[];
  readonly rpcgen: string | null;
  readonly cc: string | null;
  readonly pkgConfig: string | null;
  readonly tirpcCflags: string[];
  readonly tirpcLibs: string[];
}

export declare function findRpcgenTools(): RpcgenTools;
export declare function defaultCacheRoot(): string;
export declare function fixupRpcgenOutput(text: string): string;
export declare function typesFromHeader(headerText: string): string[];

export interface BuildLogOptions {
  /** Directory holding `<protocol>.x` (default protocol/libvirt-9.0.0). */
  protocolDir?: string;
  /** Build these .x files (any protocols, named after the file) instead of libvirt's from protocolDir. */
  xFiles?: readonly string[];
  /** Extra rpcgen flags, e.g. ['-N'] for multi-argument procedures. */
  rpcgenFlags?: readonly string[];
  /** Cache root (default $VIRT_RPCGEN_RPCGEN_CACHE or node_modules/.cache/virt-rpcgen-rpcgen). */
  cacheRoot?: string;
  /** Progress messages (what got (re)built and how long it took). */
  log?: (message: string) => void;
}

export interface RpcgenSources {
  /** Cache directory holding <p>.x, <p>.h, <p>.c, stub/, types.json. */
  readonly dir: string;
  readonly cacheRoot: string;
  readonly protocolDir: string;
  /** Protocols found in protocolDir, in ALL_PROTOCOLS order. */
  readonly protocols: string[];
  /** protocol -> protocols whose header it #includes (qemu/lxc -> remote). */
  readonly deps: Record<string, string[]>;
  /** protocol -> type names (struct/union/typedef/enum) with an xdr_<type> function, in header order. */
  readonly types: Record<string, string[]>;
  readonly rpcgenVersion: string;
  /** -I directories: generated sources, stub headers, test/support/rpcgen. */
  readonly includeDirs: string[];
  readonly tools: RpcgenTools;
}

export declare function generateRpcgenSources(
  opts?: BuildLogOptions,
): Promise<RpcgenSources>;
export declare function withDeps(
  gen: RpcgenSources,
  protocols: readonly string[],
): string[];
export declare function compileProtocolObjects(
  gen: RpcgenSources,
  protocols: readonly string[],
  opts?: { opt?: string; log?: (message: string) => void },
): Promise<string[]>;
export declare function typeTableSource(
  gen: RpcgenSources,
  protocols: readonly string[],
): string;

export interface RpcgenProgramOptions extends BuildLogOptions {
  /** Protocols whose types go in the table (default: all found). Dependencies are linked automatically. */
  protocols?: readonly string[];
  /** Optimisation flag, e.g. '-O1' (harness default) or '-O2' (bench default). */
  opt?: string;
}

export interface RpcgenProgram {
  /** Absolute path of the linked executable. */
  readonly binary: string;
  readonly dir: string;
  readonly gen: RpcgenSources;
  /** Protocols in the type table. */
  readonly protocols: string[];
  /** Protocols linked (table protocols + dependencies). */
  readonly linked: string[];
  readonly opt: string;
  /** True if the executable was already in the cache. */
  readonly cached: boolean;
  /** Wall time of this build call. */
  readonly ms: number;
}

export declare function buildRpcgenProgram(
  opts: RpcgenProgramOptions & { name: string; mainSources: string[] },
): Promise<RpcgenProgram>;
export declare function buildHarnessBinary(
  opts?: RpcgenProgramOptions,
): Promise<RpcgenProgram>;
export declare function buildCodecBenchBinary(
  opts?: RpcgenProgramOptions,
): Promise<RpcgenProgram>;
