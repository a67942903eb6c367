/**
 * Value formatting for console and `nano eval`, close to Node's util.inspect and browsers' consoles:
 * strings raw at the top level and quoted inside structures, depth-limited, circular-safe.
 * https://console.spec.whatwg.org/#formatter for the `%` substitutions.
 */
const MAX_DEPTH = 2;
const MAX_ITEMS = 100;

export function inspect(value: unknown): string {
  return formatValue(value, 0, new Set());
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
}

function key(k: PropertyKey): string {
  if (typeof k === "symbol") return `[${k.toString()}]`;
  return /^[A-Za-z_$][\w$]*$/.test(k as string) ? (k as string) : quote(k as string);
}

function constructorName(o: object): string | null {
  const proto = Object.getPrototypeOf(o);
  if (proto === null) return "[Object: null prototype]";
  const name = proto.constructor?.name;
  return typeof name === "string" ? name : null;
}

function formatValue(v: unknown, depth: number, seen: Set<object>): string {
  switch (typeof v) {
    case "string":
      return depth === 0 ? v : quote(v);
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "bigint":
      return `${v}n`;
    case "undefined":
    case "boolean":
      return String(v);
    case "symbol":
      return v.toString();
    case "function": {
      const isClass = /^class\b/.test(Function.prototype.toString.call(v));
      return `[${isClass ? "class" : "Function"}${v.name ? `: ${v.name}` : " (anonymous)"}]`;
    }
  }
  if (v === null) return "null";
  const o = v as object;
  if (seen.has(o)) return "[Circular]";
  if (o instanceof Error) return o.stack?.includes(o.message) ? o.stack : `${o.name}: ${o.message}`;
  if (o instanceof Date) return Number.isNaN(o.getTime()) ? "Invalid Date" : o.toISOString();
  if (o instanceof RegExp) return String(o);
  if (o instanceof Promise) return "Promise {}";
  if (depth > MAX_DEPTH) return Array.isArray(o) ? "[Array]" : `[${constructorName(o) ?? "Object"}]`;
  seen.add(o);
  try {
    return formatObject(o, depth, seen);
  } finally {
    seen.delete(o);
  }
}

function list(open: string, items: string[], close: string, more: number): string {
  if (more > 0) items.push(`... ${more} more item${more > 1 ? "s" : ""}`);
  if (items.length === 0) return `${open}${close}`;
  const oneLine = `${open} ${items.join(", ")} ${close}`;
  if (oneLine.length <= 72 && !oneLine.includes("\n")) return oneLine;
  return `${open}\n${items.map((i) => `  ${i.replace(/\n/g, "\n  ")}`).join(",\n")}\n${close}`;
}

function formatObject(o: object, depth: number, seen: Set<object>): string {
  const next = (x: unknown) => formatValue(x, depth + 1, seen);
  if (Array.isArray(o)) {
    const items = o.slice(0, MAX_ITEMS).map(next);
    return list("[", items, "]", o.length - items.length);
  }
  if (ArrayBuffer.isView(o) && !(o instanceof DataView)) {
    const arr = Array.from(o as unknown as ArrayLike<number | bigint>);
    const items = arr.slice(0, MAX_ITEMS).map((x) => formatValue(x, depth + 1, seen));
    return list(`${constructorName(o)}(${arr.length}) [`, items, "]", arr.length - items.length);
  }
  if (o instanceof ArrayBuffer) return `ArrayBuffer { byteLength: ${o.byteLength} }`;
  if (o instanceof Map) {
    const items = [...o].slice(0, MAX_ITEMS).map(([k, val]) => `${next(k)} => ${next(val)}`);
    return list(`Map(${o.size}) {`, items, "}", o.size - items.length);
  }
  if (o instanceof Set) {
    const items = [...o].slice(0, MAX_ITEMS).map(next);
    return list(`Set(${o.size}) {`, items, "}", o.size - items.length);
  }
  const name = constructorName(o);
  const prefix = name === "Object" ? "" : `${name ?? "Object"} `;
  const keys = Reflect.ownKeys(o).filter((k) => Object.getOwnPropertyDescriptor(o, k)?.enumerable);
  const items = keys.slice(0, MAX_ITEMS).map((k) => {
    const desc = Object.getOwnPropertyDescriptor(o, k);
    const val = desc && "value" in desc ? next(desc.value) : "[Getter]";
    return `${key(k)}: ${val}`;
  });
  return list(`${prefix}{`, items, "}", keys.length - items.length);
}

/** Console formatting: `%s %d %i %f %o %O %j %c %%` substitutions in a leading string, then the rest. */
export function formatArgs(args: unknown[]): string {
  const parts: string[] = [];
  let rest = args;
  const first = args[0];
  if (typeof first === "string" && first.includes("%")) {
    let i = 1;
    const out = first.replace(/%[sdifoOjc%]/g, (spec) => {
      if (spec === "%%") return "%";
      if (i >= args.length) return spec;
      const arg = args[i++];
      switch (spec) {
        case "%s":
          return typeof arg === "string" ? arg : formatValue(arg, 1, new Set());
        case "%d":
        case "%i": {
          const n = typeof arg === "bigint" ? arg : Number(arg);
          return typeof n === "bigint" ? `${n}n` : String(spec === "%i" ? Math.trunc(n) : n);
        }
        case "%f":
          return String(Number(arg));
        case "%j":
          return JSON.stringify(arg);
        case "%c":
          return "";
        default:
          return formatValue(arg, 1, new Set());
      }
    });
    parts.push(out);
    rest = args.slice(i);
  } else if (args.length > 0) {
    parts.push(inspect(first));
    rest = args.slice(1);
  }
  for (const a of rest) parts.push(inspect(a));
  return parts.join(" ");
}
