// The example server's domain XML fields: what it reads, and that crafted input costs time
// linear in its length (the regular expressions it replaced took 60 s on 8 KB).
import { expect, it } from "vitest";
import { firstElement } from "../../examples/server/xml-fields.js";

it("reads the first element of a name, its text and unit", () => {
  const xml = `<domain type='test'>
  <name> web1 </name><named>x</named>
  <memory unit="MiB">512</memory>
  <currentMemory unit = 'KiB' >1024</currentMemory>
  <vcpu placement='static'>2</vcpu>
</domain>`;
  expect(firstElement(xml, "name")).toEqual({ text: "web1", unit: undefined });
  expect(firstElement(xml, "memory")).toEqual({ text: "512", unit: "MiB" });
  expect(firstElement(xml, "currentMemory")).toEqual({
    text: "1024",
    unit: "KiB",
  });
  expect(firstElement(xml, "vcpu")?.text).toBe("2");
  expect(firstElement(xml, "uuid")).toBeNull();
  expect(firstElement("<name>unclosed", "name")).toBeNull();
});

it("crafted megabytes are scanned in linear time", () => {
  const inputs = [
    "<memory unit='".repeat(100_000),
    "<memory " + " ".repeat(1_000_000),
    "<name>" + "\t".repeat(1_000_000) + "x",
    "<vcpu>".repeat(200_000) + "</vcpu>",
    "<memory unit=" + " =".repeat(500_000) + ">1</memory>",
  ];
  for (const xml of inputs) {
    const t0 = performance.now();
    for (const tag of ["name", "uuid", "memory", "currentMemory", "vcpu"])
      firstElement(xml, tag);
    // Generous: linear scans of a megabyte take milliseconds; a backtracking pattern takes
    // minutes.
    expect(performance.now() - t0).toBeLessThan(2000);
  }
});
