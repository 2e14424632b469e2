/**
 * The message of the error a promise must reject with (SHOW_ERRORS=1 prints it, to read our
 * messages beside virsh's for the same bad setup).
 */
export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (process.env.SHOW_ERRORS) console.log((e as Error).message);
    return (e as Error).message;
  }
  throw new Error("expected a failure");
}
