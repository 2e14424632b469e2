// Random but valid .x protocols for the generative formatting test: every construct the
// generator emits code for (constants in every notation, typedefs, fixed and variable arrays,
// opaque, strings, optional data, enums, unions switched on enums, ints and bools with and
// without default and void arms, shared cases, inline structs/unions/enums nested in each other,
// `program` blocks with multi-argument procedures, and libvirt-style `*_procedure` enums with
// their annotations), with identifiers from 1 to 80 characters. Names are unique even after
// lower-casing and dropping underscores (the key gendispatch.pl links procedures by), and never
// a C, XDR, TypeScript or JavaScript keyword, so every protocol is one rpcgen accepts.
import type { Rng } from "./prng.js";

export interface RandomProtocol {
  /** File name, `<name>.x`. */
  readonly file: string;
  readonly text: string;
  readonly kind: "types" | "libvirt" | "oncrpc";
}

const KEYWORDS = new Set(
  (
    "abstract any arguments as async await bool boolean break byte case catch char class const " +
    "constructor continue debugger declare default delete do double else enum eval export extends " +
    "false final finally float for from function get goto hyper if implements import in infer " +
    "instanceof int interface is keyof let long module namespace native never new null number " +
    "object of opaque package private program protected public quadruple readonly require return " +
    "set short static string struct super switch symbol synchronized this throw throws transient " +
    "true try type typedef typeof undefined union unique unknown unsigned var version void " +
    "volatile while with yield signed sizeof register auto extern inline restrict " +
    "TRUE FALSE NULL flags"
  ).split(" "),
);

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";

/** Arrays, opaque and strings: sizes as numbers or constant names. */
type Size = string;

interface Scope {
  /** Every name used (by normalized key). */
  readonly keys: Set<string>;
  /** Named types usable by value in declarations. */
  readonly types: string[];
  /** Integer constants usable as sizes (positive). */
  readonly sizes: string[];
  /** Enums: name and members (for enum-switched unions). */
  readonly enums: { name: string; members: string[] }[];
}

export class ProtocolGenerator {
  private scope!: Scope;
  private depth = 0;

  constructor(private readonly rng: Rng) {}

  /** A length from 1 to 80, mostly short, sometimes very long (long names stress line breaking). */
  private length(min = 1): number {
    const r = this.rng.next();
    const n =
      r < 0.55
        ? this.rng.int(1, 10)
        : r < 0.85
          ? this.rng.int(8, 30)
          : this.rng.int(30, 80);
    return Math.max(min, n);
  }

  /** A fresh identifier of `len` characters: letters, digits and single underscores. */
  private ident(len: number, upper: boolean, prefix = "", suffix = ""): string {
    for (let attempt = 0; ; attempt++) {
      const bodyLen = Math.max(
        1,
        len - prefix.length - suffix.length + (attempt > 20 ? 4 : 0),
      );
      let s = "";
      for (let i = 0; i < bodyLen; i++) {
        const prev = s[s.length - 1];
        const r = this.rng.next();
        if (
          i > 0 &&
          i < bodyLen - 1 &&
          prev !== "_" &&
          r < 0.15 &&
          !(prefix === "" && i === 0)
        )
          s += "_";
        else if (i > 0 && r < 0.25) s += this.rng.pick([...DIGITS]);
        else s += this.rng.pick([...LOWER]);
      }
      if (prefix === "" && !/^[a-z]/.test(s)) continue;
      let name = prefix + s + suffix;
      if (upper) name = name.toUpperCase();
      const key = name.toLowerCase().replace(/_/g, "");
      if (KEYWORDS.has(name) || KEYWORDS.has(name.toLowerCase())) continue;
      if (this.scope.keys.has(key)) continue;
      this.scope.keys.add(key);
      return name;
    }
  }

  private typeName(prefix = ""): string {
    return this.ident(this.length(prefix.length + 1), false, prefix);
  }
  private fieldName(): string {
    return this.ident(this.length(), false);
  }
  private constName(prefix = ""): string {
    return this.ident(this.length(prefix.length + 1), true, prefix);
  }

  private size(): Size {
    if (this.scope.sizes.length > 0 && this.rng.chance(0.35))
      return this.rng.pick(this.scope.sizes);
    return String(
      this.rng.pick([1, 2, 3, 4, 8, 16, 64, 255, 1024, 65536, 4294967295]),
    );
  }

  private comment(): string {
    if (!this.rng.chance(0.15)) return "";
    const words = Array.from({ length: this.rng.int(1, 30) }, () =>
      this.ident(this.rng.int(1, 12), false),
    );
    return this.rng.chance(0.5)
      ? `/* ${words.join(" ")} */\n`
      : `/**\n * ${words.slice(0, 10).join(" ")}\n * ${words.slice(10).join(" ")}\n */\n`;
  }

  private scalarType(): string {
    const prims = [
      "int",
      "unsigned int",
      "unsigned",
      "hyper",
      "unsigned hyper",
      "float",
      "double",
      "bool",
      "char",
      "unsigned char",
      "short",
      "unsigned short",
    ];
    if (this.scope.types.length > 0 && this.rng.chance(0.45))
      return this.rng.pick(this.scope.types);
    return this.rng.pick(prims);
  }

  /** A type specifier, possibly an inline struct, union or enum (nested up to 3 deep). */
  private typeSpec(): string {
    if (this.depth < 3 && this.rng.chance(0.12)) {
      this.depth++;
      const r = this.rng.int(0, 2);
      const text =
        r === 0
          ? `struct ${this.structBody()}`
          : r === 1
            ? `union ${this.unionBody()}`
            : `enum ${this.enumBody().text}`;
      this.depth--;
      return text;
    }
    return this.scalarType();
  }

  /** One declaration (struct field, union arm, typedef), without the `;`. */
  private declaration(name: string): string {
    const r = this.rng.next();
    if (r < 0.45) return `${this.typeSpec()} ${name}`;
    if (r < 0.55) return `${this.scalarType()} ${name}[${this.size()}]`;
    if (r < 0.65)
      return `${this.scalarType()} ${name}<${this.rng.chance(0.3) ? "" : this.size()}>`;
    if (r < 0.72) return `opaque ${name}[${this.size()}]`;
    if (r < 0.8)
      return `opaque ${name}<${this.rng.chance(0.3) ? "" : this.size()}>`;
    if (r < 0.9)
      return `string ${name}<${this.rng.chance(0.4) ? "" : this.size()}>`;
    return `${this.scalarType()} *${name}`;
  }

  private structBody(): string {
    const n = this.rng.int(1, 4);
    const fields = Array.from(
      { length: n },
      () => `  ${this.declaration(this.fieldName())};\n`,
    );
    return `{\n${fields.join("")}}`;
  }

  private enumBody(): { text: string; members: string[] } {
    const n = this.rng.int(1, 6);
    const members: string[] = [];
    const used = new Set<number>();
    const lines: string[] = [];
    let next = 0;
    for (let i = 0; i < n; i++) {
      const name = this.constName();
      let value: number;
      let text: string;
      const r = this.rng.next();
      if (i > 0 && r < 0.3 && next <= 0x7fffffff && !used.has(next)) {
        value = next;
        text = "";
      } else {
        value = this.rng.pick([
          0,
          1,
          2,
          7,
          -1,
          -100,
          255,
          0x7fffffff,
          this.rng.int(-5000, 5000),
        ]);
        text =
          value >= 0 && this.rng.chance(0.3)
            ? ` = 0x${value.toString(16)}`
            : ` = ${value}`;
      }
      while (used.has(value)) {
        value = this.rng.int(-5000, 5000);
        text = ` = ${value}`;
      }
      used.add(value);
      next = value + 1;
      members.push(name);
      lines.push(`  ${name}${text}`);
    }
    return { text: `{\n${lines.join(",\n")}\n}`, members };
  }

  /** `switch (…) { case …: … }`: enum-, int-, unsigned- or bool-switched. */
  private unionBody(): string {
    const disc = this.fieldName();
    const r = this.rng.next();
    let head: string;
    let values: string[];
    if (r < 0.4 && this.scope.enums.length > 0) {
      const e = this.rng.pick(this.scope.enums);
      head = `${e.name} ${disc}`;
      values = e.members;
    } else if (r < 0.6) {
      head = `bool ${disc}`;
      values = ["TRUE", "FALSE"];
    } else {
      const unsigned = this.rng.chance(0.3);
      head = `${unsigned ? "unsigned int" : "int"} ${disc}`;
      const set = new Set<number>();
      const count = this.rng.int(1, 6);
      while (set.size < count)
        set.add(unsigned ? this.rng.int(0, 300) : this.rng.int(-300, 300));
      values = [...set].map(String);
    }
    // Each case value once; runs of values share an arm.
    const chosen = values.filter((_, i) => i === 0 || this.rng.chance(0.8));
    const lines: string[] = [];
    let i = 0;
    while (i < chosen.length) {
      const share = this.rng.chance(0.25) ? this.rng.int(2, 3) : 1;
      for (const v of chosen.slice(i, i + share)) lines.push(`  case ${v}:`);
      i += share;
      lines.push(
        `    ${this.rng.chance(0.25) ? "void" : this.declaration(this.fieldName())};`,
      );
    }
    if (this.rng.chance(0.4))
      lines.push(
        `  default:\n    ${this.rng.chance(0.4) ? "void" : this.declaration(this.fieldName())};`,
      );
    return `switch (${head}) {\n${lines.join("\n")}\n}`;
  }

  private constant(): string {
    const name = this.constName();
    const r = this.rng.next();
    if (r < 0.15) {
      const words = Array.from({ length: this.rng.int(0, 12) }, () =>
        this.ident(this.rng.int(1, 10), false),
      );
      return `const ${name} = "${words.join(" ")}";`;
    }
    let value: string;
    if (r < 0.35) value = `0x${this.rng.uint32().toString(16)}`;
    else if (r < 0.5) value = String(-this.rng.int(1, 2 ** 31));
    else if (r < 0.55) value = `0${this.rng.int(1, 511).toString(8)}`;
    else value = String(this.rng.int(1, 100000));
    if (!value.startsWith("-") && Number(value) > 0)
      this.scope.sizes.push(name);
    return `const ${name} = ${value};`;
  }

  private typeDefinition(): string {
    const r = this.rng.next();
    if (r < 0.3) {
      const name = this.typeName();
      const body = this.structBody();
      this.scope.types.push(name);
      return `struct ${name} ${body};`;
    }
    if (r < 0.5) {
      const name = this.typeName();
      const body = this.unionBody();
      this.scope.types.push(name);
      return `union ${name} ${body};`;
    }
    if (r < 0.7) {
      const name = this.typeName();
      const body = this.enumBody();
      this.scope.types.push(name);
      this.scope.enums.push({ name, members: body.members });
      return `enum ${name} ${body.text};`;
    }
    if (r < 0.78) {
      // A list: a struct that points to itself.
      const name = this.typeName();
      const value = this.fieldName();
      const next = this.fieldName();
      const text = `struct ${name} {\n  ${this.scalarType()} ${value};\n  ${name} *${next};\n};`;
      this.scope.types.push(name);
      return text;
    }
    const name = this.typeName();
    const decl = this.declaration(name);
    this.scope.types.push(name);
    return `typedef ${decl};`;
  }

  private newScope(): void {
    this.scope = { keys: new Set(), types: [], sizes: [], enums: [] };
  }

  private definitions(): string[] {
    const out: string[] = [];
    const n = this.rng.int(1, 4);
    for (let i = 0; i < n; i++) {
      out.push(
        this.comment() +
          (this.rng.chance(0.3) ? this.constant() : this.typeDefinition()),
      );
    }
    return out;
  }

  /** A protocol of types only. */
  private typesProtocol(): RandomProtocol {
    this.newScope();
    const file = `${this.typeName()}.x`;
    return {
      file,
      text: this.definitions().join("\n\n") + "\n",
      kind: "types",
    };
  }

  /** A plain rpcgen protocol with `program` blocks (multi-argument procedures, as rpcgen -N). */
  private oncProtocol(): RandomProtocol {
    this.newScope();
    const file = `${this.typeName()}.x`;
    const defs = this.definitions();
    const procType = (result: boolean): string => {
      const r = this.rng.next();
      if (r < 0.2) return "void";
      if (r < 0.3) return "string";
      if (result && r < 0.35) return "bool";
      return this.scalarType();
    };
    const programs: string[] = [];
    const progCount = this.rng.chance(0.9) ? 1 : 2;
    let progNumber = 0x20000000 + this.rng.int(0, 0xffffff);
    for (let p = 0; p < progCount; p++) {
      const versions: string[] = [];
      const versionCount = this.rng.int(1, 2);
      for (let v = 1; v <= versionCount; v++) {
        const procs: string[] = [];
        const procCount = this.rng.int(1, 3);
        for (let k = 1; k <= procCount; k++) {
          const argc = this.rng.pick([0, 1, 1, 1, 2, 3, 4]);
          const args =
            argc === 0
              ? "void"
              : Array.from({ length: argc }, () => {
                  const t = procType(false);
                  return t === "void" ? "int" : t;
                }).join(", ");
          procs.push(
            `    ${procType(true)} ${this.constName()}(${args}) = ${k};`,
          );
        }
        versions.push(
          `  version ${this.constName()} {\n${procs.join("\n")}\n  } = ${v};`,
        );
      }
      programs.push(
        `program ${this.constName()} {\n${versions.join("\n")}\n} = 0x${(progNumber++).toString(16)};`,
      );
    }
    return {
      file,
      text: [...defs, ...programs].join("\n\n") + "\n",
      kind: "oncrpc",
    };
  }

  /** A libvirt-style protocol: `<p>_procedure` with annotations and `<p>_<name>_args/_ret`. */
  private libvirtProtocol(): RandomProtocol {
    this.newScope();
    const file = `${this.typeName()}.x`;
    const prefix = this.ident(this.rng.int(1, 20), false);
    const upper = prefix.toUpperCase();
    const defs = this.definitions();
    defs.push(
      `const ${upper}_PROGRAM = 0x${this.rng.int(0x20000000, 0x3fffffff).toString(16)};`,
      `const ${upper}_PROTOCOL_VERSION = ${this.rng.int(1, 3)};`,
    );
    this.scope.keys.add(`${prefix}procedure`);
    const members: string[] = [];
    const procCount = this.rng.int(1, 3);
    const used = new Set<number>();
    for (let k = 0; k < procCount; k++) {
      const bare = this.ident(this.length(1), false);
      const constName = `${upper}_PROC_${bare.toUpperCase()}`;
      const acl = this.rng.pick([
        "none",
        "connect:getattr",
        "connect:read",
        "domain:read",
        "domain:write",
        "domain:start",
        "domain:save:!VIR_DOMAIN_AFFECT_CONFIG|VIR_DOMAIN_AFFECT_LIVE",
        "domain:save:VIR_DOMAIN_AFFECT_CONFIG",
        "network:getattr",
        "connect:search_domains",
      ]);
      // A rule on flags needs the `flags` argument it tests.
      const needsFlags = acl.split(":").length > 2;
      let argFields = 0;
      if (needsFlags || this.rng.chance(0.75)) {
        argFields = this.rng.int(1, 3);
        const fields = Array.from(
          { length: argFields },
          () => `  ${this.declaration(this.fieldName())};\n`,
        );
        if (needsFlags)
          fields.splice(
            this.rng.int(0, fields.length),
            0,
            "  unsigned int flags;\n",
          );
        defs.push(`struct ${prefix}_${bare}_args {\n${fields.join("")}};`);
      }
      if (this.rng.chance(0.6))
        defs.push(`struct ${prefix}_${bare}_ret ${this.structBody()};`);
      // A message (an event the server sends).
      if (this.rng.chance(0.1))
        defs.push(`struct ${prefix}_${bare}_msg ${this.structBody()};`);
      const notes = [
        `@generate: ${this.rng.pick(["both", "both", "client", "server", "none"])}`,
      ];
      if (this.rng.chance(0.5))
        notes.push(`@priority: ${this.rng.pick(["high", "low"])}`);
      notes.push(`@acl: ${acl}`);
      if (this.rng.chance(0.15))
        notes.push(
          `@${this.rng.pick(["readstream", "writestream"])}: ${this.rng.int(1, argFields + 1)}`,
        );
      let number = k + 1;
      if (this.rng.chance(0.2)) number = this.rng.int(1, 1000);
      while (used.has(number)) number++;
      used.add(number);
      members.push(
        `  /**\n${notes.map((n) => `   * ${n}\n`).join("")}   */\n  ${constName} = ${number}`,
      );
    }
    defs.push(`enum ${prefix}_procedure {\n${members.join(",\n\n")}\n};`);
    return {
      file,
      text: defs.join("\n\n") + "\n",
      kind: "libvirt",
    };
  }

  protocol(): RandomProtocol {
    const r = this.rng.next();
    // Fewer ONC-RPC protocols: their client, server and programs modules are large and laid
    // out by prettier itself (the emitters mark those chunks unstable), so they cost the most
    // time for the least layout-engine coverage.
    if (r < 0.5) return this.libvirtProtocol();
    if (r < 0.65) return this.oncProtocol();
    return this.typesProtocol();
  }
}
