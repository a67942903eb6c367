/**
 * What makes a REPL line behave as in the Node and browser consoles, given that the isolate runs each
 * line with an indirect eval (where `let`, `const` and `class` bindings die with the line, and `await`
 * is not allowed):
 *
 * - top-level `let`/`const`/`class` become `var` declarations, which outlive the line as globals (so
 *   `let n = 41`, then `n + 1` gives 42; a `const` can then be reassigned, as a deliberate leniency);
 * - a line with top-level `await` runs in an async function, its declarations hoisted out as `var`s and
 *   turned into assignments, its last expression returned (the REPL awaits the promise and prints it).
 *
 * The source is tokenized, never run, on the host; a line the rewrite does not understand is left as is.
 */
import { Script } from "node:vm";
import { type Token, tokenize } from "./repl-tokens.js";

/** Keywords that start a statement which is not an expression statement. */
const STATEMENT_KEYWORDS = new Set([
  "if",
  "for",
  "while",
  "do",
  "switch",
  "try",
  "return",
  "throw",
  "break",
  "continue",
  "function",
  "class",
  "let",
  "const",
  "var",
  "import",
  "export",
  "with",
  "debugger",
]);

function compiles(code: string): boolean {
  try {
    new Script(code);
    return true;
  } catch {
    return false;
  }
}

const asyncWrap = (code: string) => `(async () => {\n${code}\n})`;

/** Whether the code needs an async function around it: it only compiles there, and says `await`. */
export function hasTopLevelAwait(code: string): boolean {
  return /\bawait\b/.test(code) && !compiles(code) && compiles(asyncWrap(code));
}

/** Indexes of the tokens that start a top-level statement. */
function statementStarts(tokens: Token[]): number[] {
  const starts: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.depth !== 0) continue;
    const prev = tokens[i - 1];
    if (prev === undefined || (prev.value === ";" && prev.depth === 0)) starts.push(i);
    else if (prev.value === "}" && prev.depth === 0) {
      // After a block or a class body; not after a destructuring pattern (`const {a} = …`).
      if (!(t.type === "punct" && CONTINUING.test(t.value))) starts.push(i);
    } else if (t.nl && !continues(prev, t)) starts.push(i);
  }
  return starts;
}

const CONTINUING = /^(?:[-+*/%&|^<>=!?:.,]|\*\*|&&|\|\||\?\?|=>|\?\.|[!=]==?|[<>]=)$/;

/** Whether, across a line break, `next` continues the statement `prev` is in (no ASI there). */
function continues(prev: Token, next: Token): boolean {
  if (prev.type === "punct" && prev.value !== ")" && prev.value !== "]" && prev.value !== "}") return true;
  if (next.type === "name") return next.value === "instanceof" || next.value === "in";
  return next.type === "punct" && CONTINUING.test(next.value);
}

/** The index of the bracket that closes the one at `open`. */
function matching(tokens: Token[], open: number): number {
  const depth = (tokens[open] as Token).depth;
  for (let j = open + 1; j < tokens.length; j++) {
    const t = tokens[j] as Token;
    if (t.depth === depth && t.type === "punct" && (t.value === "}" || t.value === ")" || t.value === "]")) return j;
  }
  return tokens.length - 1;
}

/** The first `{` at `from`'s depth from `from` on: a class or function body. */
function bodyOpen(tokens: Token[], from: number): number {
  const depth = (tokens[from] as Token).depth;
  for (let j = from; j < tokens.length; j++) {
    const t = tokens[j] as Token;
    if (t.depth === depth && t.value === "{") return j;
  }
  return -1;
}

/** The end (exclusive token index) of the statement starting at `start`, given the next start. */
function statementEnd(tokens: Token[], start: number, nextStart: number): number {
  for (let j = start; j < nextStart; j++)
    if ((tokens[j] as Token).value === ";" && (tokens[j] as Token).depth === 0) return j;
  return nextStart;
}

/** The names a binding pattern (tokens from..to) binds. */
function patternNames(tokens: Token[], from: number, to: number): string[] {
  const names: string[] = [];
  const kinds: string[] = [];
  for (let j = from; j < to; j++) {
    const t = tokens[j] as Token;
    const next = tokens[j + 1];
    if (t.value === "{" || t.value === "[") {
      // A computed key in an object pattern: skip to its ":".
      const prev = tokens[j - 1] as Token;
      if (t.value === "[" && kinds[kinds.length - 1] === "{" && (prev.value === "{" || prev.value === ",")) {
        j = matching(tokens, j);
        continue;
      }
      kinds.push(t.value);
    } else if (t.value === "}" || t.value === "]") {
      kinds.pop();
    } else if (t.value === "=") {
      // A default value: skip to the "," or closing bracket that ends it.
      const depth = t.depth;
      while (j + 1 < to) {
        const u = tokens[j + 1] as Token;
        if (u.depth === depth && (u.value === "," || u.value === "}" || u.value === "]")) break;
        if (u.depth < depth) break;
        j++;
      }
    } else if (t.type === "name" || t.type === "string" || t.type === "number") {
      if (next?.value === ":" && kinds[kinds.length - 1] === "{") continue; // a property key
      if (t.type === "name") names.push(t.value);
    }
  }
  return names;
}

interface Declarator {
  pattern: [number, number];
  init: [number, number] | null;
}

/** Splits `let a = 1, {b} = c` (tokens from..to, after the keyword) at its top-level commas. */
function declarators(tokens: Token[], from: number, to: number): Declarator[] {
  const out: Declarator[] = [];
  const depth = (tokens[from] as Token | undefined)?.depth ?? 0;
  let start = from;
  let eq = -1;
  for (let j = from; j <= to; j++) {
    const t = tokens[j];
    if (j === to || (t?.depth === depth && t.value === ",")) {
      out.push({ pattern: [start, eq < 0 ? j : eq], init: eq < 0 ? null : [eq + 1, j] });
      start = j + 1;
      eq = -1;
    } else if (t?.depth === depth && t.value === "=" && eq < 0) eq = j;
  }
  return out;
}

/** Rewrites one REPL input (see the module comment); returns it unchanged if it cannot tokenize it. */
export function rewriteReplInput(code: string): string {
  let tokens: Token[];
  try {
    tokens = tokenize(code);
  } catch {
    return code;
  }
  const wrap = hasTopLevelAwait(code);
  const starts = statementStarts(tokens);
  const edits: { start: number; end: number; text: string }[] = [];
  const hoisted: string[] = [];
  const text = (a: number, b: number) =>
    a >= b ? "" : code.slice((tokens[a] as Token).start, (tokens[b - 1] as Token).end);

  for (let s = 0; s < starts.length; s++) {
    const i = starts[s] as number;
    const next = starts[s + 1] ?? tokens.length;
    const t = tokens[i] as Token;
    const after = tokens[i + 1];
    const isLexical =
      (t.value === "let" && (after?.type === "name" || after?.value === "{" || after?.value === "[")) ||
      t.value === "const" ||
      (t.value === "var" && wrap);
    const isAsyncFunction = t.value === "async" && after?.value === "function" && !after.nl;
    if (isLexical) {
      if (!wrap) {
        // Same length, so columns in stack traces stay right.
        edits.push({ start: t.start, end: t.end, text: t.value === "const" ? "var  " : "var" });
        continue;
      }
      const end = statementEnd(tokens, i + 1, next);
      const parts = declarators(tokens, i + 1, end).map((d) => {
        hoisted.push(...patternNames(tokens, d.pattern[0], d.pattern[1]));
        return `(${text(d.pattern[0], d.pattern[1])} = ${d.init ? text(d.init[0], d.init[1]) : "undefined"})`;
      });
      const last = end < tokens.length ? (tokens[end] as Token).start : code.length;
      edits.push({ start: t.start, end: last, text: `void (${parts.join(", ")})` });
    } else if (
      (t.value === "class" && after?.type === "name") ||
      (wrap && (t.value === "function" || isAsyncFunction))
    ) {
      // `class X {…}` → `var X = class X {…};` (and, in an async wrapper, the same for functions).
      const nameToken =
        t.value === "class"
          ? after
          : tokens[isAsyncFunction ? i + 2 : i + 1]?.value === "*"
            ? tokens[i + (isAsyncFunction ? 3 : 2)]
            : tokens[isAsyncFunction ? i + 2 : i + 1];
      if (nameToken?.type !== "name") continue;
      const open = bodyOpen(tokens, i);
      if (open < 0) continue;
      const close = matching(tokens, open);
      const name = nameToken.value;
      if (wrap) hoisted.push(name);
      edits.push({ start: t.start, end: t.start, text: wrap ? `${name} = ` : `var ${name} = ` });
      edits.push({ start: (tokens[close] as Token).end, end: (tokens[close] as Token).end, text: ";" });
    }
  }

  if (wrap && starts.length > 0) {
    // The last statement's value is what the line gives, as the REPL's completion value.
    const i = starts[starts.length - 1] as number;
    const t = tokens[i] as Token;
    const isExpression =
      !(t.type === "name" && STATEMENT_KEYWORDS.has(t.value)) &&
      t.value !== "{" &&
      t.value !== ";" &&
      !(t.value === "async" && tokens[i + 1]?.value === "function");
    if (isExpression && !edits.some((e) => e.start === t.start)) {
      const end = statementEnd(tokens, i, tokens.length);
      const last = tokens[end - 1] as Token;
      edits.push({ start: t.start, end: t.start, text: "return (" });
      edits.push({ start: last.end, end: last.end, text: ")" });
    }
  }

  let out = code;
  // Applied from the end, so earlier offsets stay valid (insertions at one offset keep their order).
  const ordered = edits.map((e, n) => ({ ...e, n })).sort((a, b) => b.start - a.start || b.n - a.n);
  for (const e of ordered) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  if (!wrap) return out;
  const names = [...new Set(hoisted)];
  return `${names.length ? `var ${names.join(", ")}; ` : ""}(async () => {\n${out}\n})()`;
}
