/**
 * RC4, the stream cipher of DIGEST-MD5's `cipher=rc4` security layer (RFC 2831 §2.4). OpenSSL 3
 * keeps RC4 in its legacy provider, which Node does not load, so it is written out here. The
 * key stream runs on across packets: one instance per direction for the whole session.
 */
export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array) {
    const s = this.s;
    for (let k = 0; k < 256; k++) s[k] = k;
    let j = 0;
    for (let k = 0; k < 256; k++) {
      j = (j + s[k]! + key[k % key.length]!) & 0xff;
      const t = s[k]!;
      s[k] = s[j]!;
      s[j] = t;
    }
  }

  /** XORs `data` with the next key stream bytes, in place, and returns it. */
  apply(data: Uint8Array): Uint8Array {
    const s = this.s;
    let i = this.i;
    let j = this.j;
    for (let k = 0; k < data.length; k++) {
      i = (i + 1) & 0xff;
      const si = s[i]!;
      j = (j + si) & 0xff;
      const sj = s[j]!;
      s[i] = sj;
      s[j] = si;
      data[k]! ^= s[(si + sj) & 0xff]!;
    }
    this.i = i;
    this.j = j;
    return data;
  }
}
