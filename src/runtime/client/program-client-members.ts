/**
 * Every member of ProgramClient, whatever its visibility: a generated client class extends it,
 * so a method named after a procedure must take another name when it would redeclare one of
 * these (a private one too: TypeScript rejects the subclass, TS2415). The generator reads this
 * list without loading the client. The type checker holds it to ProgramClient's public members;
 * test/client/program-client-members.test.ts to all of them, read off a live instance.
 */
import type { ProgramClient } from "./program-client.js";

export const PROGRAM_CLIENT_MEMBERS = [
  // Public.
  "program",
  "connection",
  "keepConnected",
  "onReconnect",
  "subscribe",
  "call",
  "on",
  "off",
  "once",
  "close",
  // Protected: what generated methods call.
  "invoke",
  "invokeStream",
  "invokeStreamOnly",
  // Private.
  "listeners",
  "targets",
  "unsubscribe",
  "conn",
  "subscriptions",
  "reconnect",
  "reconnecting",
  "closing",
  "resubscribing",
  "eventHost",
  "watch",
  "tell",
  "reconnectLoop",
  "adopt",
  "target",
  "dispatch",
] as const;

type Unlisted = Exclude<
  keyof ProgramClient,
  (typeof PROGRAM_CLIENT_MEMBERS)[number]
>;
// A public member missing from the list fails to compile here.
const everyPublicMemberListed: [Unlisted] extends [never] ? true : Unlisted =
  true;
void everyPublicMemberListed;
