export declare const DEMO_X: string;
export interface DemoPeers {
  readonly server: string;
  readonly client: string;
  readonly dir: string;
}
export declare function buildDemoPeers(options?: { opt?: string }): Promise<DemoPeers>;
export declare const MULTI_X: string;
export declare function buildMultiPeers(options?: { opt?: string }): Promise<DemoPeers>;
