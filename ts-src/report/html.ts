/**
 * Safe HTML building: every value interpolated into the {@link html} template is escaped unless it is
 * already {@link SafeHtml} (the result of another `html` template), so that no string from the data (an
 * account id, a participant's name) can open a tag or an attribute. JSON is embedded with
 * {@link jsonForScript}, which cannot close its `<script>` element.
 */
import { ClearchainError } from "../shared/errors.ts";

/** A piece of HTML that is safe to insert as it is. */
export class SafeHtml {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML element content and for quoted attribute values.
 *
 * @example
 *   escapeHtml('<b a="1">'); // "&lt;b a=&quot;1&quot;&gt;"
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** A value an {@link html} template accepts: text (escaped), numbers, safe HTML, lists of them; nothing for null. */
export type HtmlValue = string | number | SafeHtml | null | undefined | false | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/**
 * A template tag that escapes every interpolated value (lists are joined; null, undefined and false vanish).
 *
 * @example
 *   html`<td>${name}</td>`; // name "<script>" gives <td>&lt;script&gt;</td>
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let text = strings[0]!;
  values.forEach((value, i) => {
    text += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(text);
}

/**
 * A `<script>` or `<style>` element around checked content (see {@link inlineSource}, {@link jsonForScript}).
 * Built as one value so that nothing (a formatter, a template's indentation) adds whitespace inside the
 * element: the Content-Security-Policy hash of an inline script or style covers its exact text.
 *
 * @param attributes written as they are (constant text only).
 */
export function rawElement(tag: "script" | "style", content: SafeHtml, attributes = ""): SafeHtml {
  return new SafeHtml(`<${tag}${attributes === "" ? "" : ` ${attributes}`}>${content.text}</${tag}>`);
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` are written as \u escapes (so
 * `</script>` and `<!--` cannot appear), and so are U+2028 and U+2029. `JSON.parse` of the element's text
 * gives the value back.
 *
 * @example
 *   jsonForScript({ name: "</script>" }); // {"name":"\u003c/script\u003e"}
 */
export function jsonForScript(value: unknown): SafeHtml {
  return new SafeHtml(
    JSON.stringify(value).replace(
      /[<>&\u2028\u2029]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
    ),
  );
}

/**
 * Checks that a script's or style sheet's source can sit inside its `<script>` or `<style>` element: it must
 * not contain `</script`, `</style` nor `<!--` (which would end the element early or change how the HTML
 * parser reads it).
 *
 * @throws {ClearchainError} `REPORT_ASSET_NOT_INLINABLE` naming the file.
 * @returns the source, as trusted HTML.
 */
export function inlineSource(source: string, name: string): SafeHtml {
  if (/<\/script|<\/style|<!--/i.test(source)) {
    throw new ClearchainError(
      "REPORT_ASSET_NOT_INLINABLE",
      `${name} contains "</script", "</style" or "<!--" and cannot be inlined as it is`,
      { details: { file: name } },
    );
  }
  return new SafeHtml(source);
}
