// The protocol reference page (`generate --emit reference`) in a real headless Chromium: it
// renders, its search (the page's own script, driven through `?q=` as a shared link would)
// finds procedure 364, and that entry shows the `@acl` rule libvirt declares for it.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findTool, requireTool } from "../support/libvirtd.js";
import { ensureProtocolFiles, REPO_ROOT } from "../support/protocol-files.js";
import { runOk } from "../support/run.js";

const haveChromium = requireTool("chromium");
const work = mkdtempSync(join(tmpdir(), "rpcgen-reference-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Chromium as the probe of this machine runs it: headless, no network, a fresh profile. */
function chromium(...args: string[]): Promise<string> {
  return runOk(findTool("chromium")!, [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${mkdtempSync(join(work, "profile-"))}`,
    ...args,
  ]);
}

/** The `<section>` with this id, as the browser left it (class list and text). */
function section(dom: string, id: string): { cls: string; html: string } {
  const start = dom.indexOf(`id="${id}"`);
  expect(start, `no element with id ${id}`).toBeGreaterThan(-1);
  const open = dom.lastIndexOf("<section", start);
  const end = dom.indexOf("</section>", start);
  const html = dom.slice(open, end);
  return { cls: /class="([^"]*)"/.exec(html)![1]!, html };
}

describe.skipIf(!haveChromium)("protocol reference page", () => {
  let page = "";
  beforeAll(async () => {
    const x = join(ensureProtocolFiles(), "remote_protocol.x");
    await runOk(process.execPath, [
      join(REPO_ROOT, "dist", "cli.js"),
      "generate",
      x,
      "--out",
      work,
      "--emit",
      "reference",
    ]);
    page = join(work, "remote_protocol", "reference.html");
  });

  it("is one self-contained file: no external scripts, styles or images", () => {
    const html = readFileSync(page, "utf8");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html).toContain('id="p-REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY"');
  });

  it("search finds domainMigrateStartPostCopy, whose entry shows domain:migrate", async () => {
    const url = pathToFileURL(page);
    url.searchParams.set("q", "domainMigrateStartPostCopy");
    const dom = await chromium("--dump-dom", url.href);
    const hit = section(dom, "p-REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY");
    expect(hit.cls).toBe("entry");
    expect(hit.html).toContain('<code class="acl">domain:migrate</code>');
    expect(hit.html).toContain("virDomainMigrateStartPostCopy");
    expect(hit.html).toContain("<dd>364</dd>");
    // Every other procedure is filtered out by the page's script.
    expect(section(dom, "p-REMOTE_PROC_CONNECT_OPEN").cls).toBe("entry hidden");
    expect(
      section(dom, "p-REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY").html,
    ).toContain('href="#t-remote_domain_migrate_start_post_copy_args"');
    expect(dom).toMatch(/<span id="count">\d+ of \d+ entries<\/span>/);
  });

  it("renders: a screenshot of the search result", async () => {
    const png = join(work, "reference.png");
    const url = pathToFileURL(page);
    url.searchParams.set("q", "migratestartpostcopy");
    await chromium("--window-size=1280,900", `--screenshot=${png}`, url.href);
    // A blank page compresses to a few kilobytes; the rendered one is far larger.
    expect(statSync(png).size).toBeGreaterThan(30_000);
  });
});
