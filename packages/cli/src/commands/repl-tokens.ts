/**
 * A small JavaScript tokenizer for the REPL's rewrite of top-level declarations (repl-rewrite.ts):
 * enough to find the statements at the top level of a line — strings, templates, regular expressions
 * and comments are skipped as single tokens, brackets tracked by depth. It never runs any code.
 */

export interface Token {
  type: "name" | "punct" | "string" | "template" | "regex" | "number";
  value: string;
  start: number;
  end: number;
  /** A line break came between this token and the one before it. */
  nl: boolean;
  /** Bracket depth ((), [], {}) at the token; a closing bracket has its opener's depth. */
  depth: number;
}

const PUNCT =
  /\.\.\.|\?\?=|\?\.(?!\d)|=>|[!=]==?|>>>=?|<<=?|>>=?|[<>]=?|&&=?|\|\|=?|\?\?|\*\*=?|\+\+|--|[-+*/%&|^]=?|[{}()[\];,~?:.@#!=]/y;
const NAME = /[\p{ID_Start}$_\\](?:[\p{ID_Continue}$\\]|\u200c|\u200d)*/uy;
const NUMBER = /(?:0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)n?/y;
const LINE_BREAK = /[\n\r\u2028\u2029]/;
/** Names after which a `/` starts a regular expression, not a division. */
const REGEX_AFTER_NAME = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

function regexAllowed(prev: Token | undefined): boolean {
  if (prev === undefined) return true;
  if (prev.type === "name") return REGEX_AFTER_NAME.has(prev.value);
  if (prev.type === "punct") return prev.value !== ")" && prev.value !== "]" && prev.value !== "}";
  return false;
}

/** Tokens of `code`; throws on an unterminated string, template, comment or regular expression. */
export function tokenize(code: string): Token[] {
  return scan(code).tokens;
}

/** How many brackets (and template substitutions) are still open at the end of `code`. */
export function openBrackets(code: string): number {
  try {
    return scan(code).open;
  } catch {
    return 0;
  }
}

function scan(code: string): { tokens: Token[]; open: number } {
  const tokens: Token[] = [];
  /** Open brackets; a "${" entry is a template substitution, which its "}" closes. */
  const stack: string[] = [];
  let i = 0;
  let nl = false;
  const push = (type: Token["type"], start: number, end: number) => {
    tokens.push({ type, value: code.slice(start, end), start, end, nl, depth: stack.length });
    nl = false;
    i = end;
  };
  while (i < code.length) {
    const c = code[i] as string;
    if (LINE_BREAK.test(c)) {
      nl = true;
      i++;
    } else if (c === " " || c === "\t" || c === "\v" || c === "\f" || c === "\ufeff" || /\s/.test(c)) {
      i++;
    } else if (code.startsWith("//", i)) {
      while (i < code.length && !LINE_BREAK.test(code[i] as string)) i++;
    } else if (code.startsWith("/*", i)) {
      const end = code.indexOf("*/", i + 2);
      if (end < 0) throw new SyntaxError("unterminated comment");
      if (LINE_BREAK.test(code.slice(i, end))) nl = true;
      i = end + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < code.length && code[j] !== c) j += code[j] === "\\" ? 2 : 1;
      if (j >= code.length) throw new SyntaxError("unterminated string");
      push("string", i, j + 1);
    } else if (c === "`" || (c === "}" && stack[stack.length - 1] === "${")) {
      // A template, or the rest of one after a substitution's "}".
      if (c === "}") stack.pop();
      let j = i + 1;
      while (j < code.length && code[j] !== "`" && !(code[j] === "$" && code[j + 1] === "{")) {
        j += code[j] === "\\" ? 2 : 1;
      }
      if (j >= code.length) throw new SyntaxError("unterminated template");
      if (code[j] === "`") push("template", i, j + 1);
      else {
        push("template", i, j + 2);
        stack.push("${");
      }
    } else if (c === "/" && regexAllowed(tokens[tokens.length - 1])) {
      let j = i + 1;
      let inClass = false;
      while (j < code.length && (inClass || code[j] !== "/")) {
        if (LINE_BREAK.test(code[j] as string)) throw new SyntaxError("unterminated regular expression");
        if (code[j] === "[") inClass = true;
        else if (code[j] === "]") inClass = false;
        j += code[j] === "\\" ? 2 : 1;
      }
      if (j >= code.length) throw new SyntaxError("unterminated regular expression");
      j++;
      while (j < code.length && /[\p{ID_Continue}$]/u.test(code[j] as string)) j++;
      push("regex", i, j);
    } else {
      NUMBER.lastIndex = i;
      NAME.lastIndex = i;
      PUNCT.lastIndex = i;
      if (/\d/.test(c) || (c === "." && /\d/.test(code[i + 1] ?? "")) ? NUMBER.test(code) : false) {
        push("number", i, NUMBER.lastIndex);
      } else if (NAME.test(code)) {
        push("name", i, NAME.lastIndex);
      } else if (PUNCT.test(code)) {
        const end = PUNCT.lastIndex;
        const value = code.slice(i, end);
        if (value === "}" || value === ")" || value === "]") stack.pop();
        push("punct", i, end);
        if (value === "{" || value === "(" || value === "[") stack.push(value);
      } else {
        // Anything else (a private name's #, a stray character): one character, as a punctuator.
        push("punct", i, i + 1);
      }
    }
  }
  return { tokens, open: stack.length };
}
