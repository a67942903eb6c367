// Runs the WPT URL data files ($NANO_WPT_DIR/url or ../shared/wpt/url, loaded by wpt-url.test.ts into globalThis.__wpt)
// against the isolate's URL, the way WPT's url/*.any.js tests use them. Returns results per file.
(() => {
  const { urltestdata, setters, percentEncoding, toascii, idna } = globalThis.__wpt;
  const PROPS = [
    "href",
    "origin",
    "protocol",
    "username",
    "password",
    "host",
    "hostname",
    "port",
    "pathname",
    "search",
    "hash",
  ];
  const out = {};
  const record = (file, name, fn) => {
    if (!out[file]) out[file] = [];
    const list = out[file];
    try {
      const problem = fn();
      list.push(problem ? { name, ok: false, message: problem } : { name, ok: true });
    } catch (err) {
      list.push({ name, ok: false, message: `${err?.name}: ${err?.message}` });
    }
  };
  const compare = (url, expected, props) => {
    for (const p of props) {
      if (!(p in expected)) continue;
      if (url[p] !== expected[p]) return `${p}: expected ${JSON.stringify(expected[p])} got ${JSON.stringify(url[p])}`;
    }
    return null;
  };

  // url-constructor.any.js + url-origin.any.js + URL.canParse
  for (const t of urltestdata) {
    if (typeof t === "string") continue;
    const name = `${JSON.stringify(t.input)} against ${JSON.stringify(t.base)}`;
    record("urltestdata.json", name, () => {
      const base = t.base === null ? undefined : t.base;
      if (t.failure) {
        try {
          new URL(t.input, base);
        } catch (err) {
          if (!(err instanceof TypeError)) return `threw ${err?.name}, not TypeError`;
          if (URL.canParse(t.input, base)) return "canParse returned true";
          return null;
        }
        return "parsed, expected failure";
      }
      const url = new URL(t.input, base);
      if (!URL.canParse(t.input, base)) return "canParse returned false";
      return (
        compare(url, t, PROPS) ??
        (t.searchParams !== undefined && url.searchParams.toString() !== t.searchParams ? "searchParams" : null)
      );
    });
  }

  // url-setters.any.js
  for (const [setter, tests] of Object.entries(setters)) {
    if (setter === "comment") continue;
    for (const t of tests) {
      record("setters_tests.json", `${setter} = ${JSON.stringify(t.new_value)} on ${JSON.stringify(t.href)}`, () => {
        const url = new URL(t.href);
        url[setter] = t.new_value;
        return compare(url, t.expected, Object.keys(t.expected));
      });
    }
  }

  // percent-encoding: a worker's URLs are UTF-8, so only the utf-8 expectations apply
  for (const t of percentEncoding) {
    if (typeof t === "string") continue;
    record("percent-encoding.json", JSON.stringify(t.input), () => {
      const url = new URL(`https://doesnotmatter.invalid/?${t.input}#${t.input}`);
      const expected = t.output["utf-8"];
      if (url.search !== `?${expected}`) return `search: expected ?${expected} got ${url.search}`;
      return null;
    });
  }

  // toascii.window.js: the constructor, then the host and hostname setters on "https://x/x"
  const constructorCheck = (input, output) => {
    if (output === null) {
      try {
        new URL(`https://${input}/x`);
      } catch (err) {
        return err instanceof TypeError ? null : `threw ${err?.name}, not TypeError`;
      }
      return "parsed, expected failure";
    }
    const url = new URL(`https://${input}/x`);
    return compare(url, { host: output, hostname: output, pathname: "/x", href: `https://${output}/x` }, [
      "host",
      "hostname",
      "pathname",
      "href",
    ]);
  };
  for (const t of toascii) {
    if (typeof t === "string") continue;
    const output = t.output === undefined ? t.input : t.output;
    record("toascii.json", `${t.input} (using URL)`, () => constructorCheck(t.input, output));
    for (const prop of ["host", "hostname"]) {
      record("toascii.json", `${t.input} (using URL.${prop})`, () => {
        const url = new URL("https://x/x");
        url[prop] = t.input;
        const want = output === null ? "x" : output;
        return url[prop] === want ? null : `${prop}: expected ${JSON.stringify(want)} got ${JSON.stringify(url[prop])}`;
      });
    }
  }
  // IdnaTestV2.window.js: the empty input cannot go through new URL()
  for (const t of idna) {
    if (typeof t === "string" || t.input === "") continue;
    record("IdnaTestV2.json", `ToASCII(${JSON.stringify(t.input)})${t.comment ? ` ${t.comment}` : ""}`, () =>
      constructorCheck(t.input, t.output),
    );
  }
  return JSON.stringify(out);
})();
