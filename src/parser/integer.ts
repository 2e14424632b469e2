/** C integer literal: decimal, 0x hex, 0 octal, with an optional leading minus. */
export function parseIntegerLiteral(text: string): bigint | null {
  const neg = text.startsWith("-");
  const body = neg ? text.slice(1) : text;
  let v: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) v = BigInt(body);
  else if (/^0[0-7]*$/.test(body))
    v = body === "0" ? 0n : BigInt("0o" + body.slice(1));
  else if (/^[1-9][0-9]*$/.test(body)) v = BigInt(body);
  else return null;
  return neg ? -v : v;
}
