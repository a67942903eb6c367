import { describe, expect, it } from "vitest";
import { checkResponseHead } from "./response-head.js";

describe("checkResponseHead (untrusted input from the isolate)", () => {
  it("passes a plain head, lower-casing names and keeping repeated fields", () => {
    expect(
      checkResponseHead(200, "OK", ["Content-Type", "text/plain", "Set-Cookie", "a=1", "set-cookie", "b=2"]),
    ).toEqual({
      status: 200,
      statusText: "OK",
      headers: ["content-type", "text/plain", "set-cookie", "a=1", "set-cookie", "b=2"],
    });
  });

  it("drops framing and hop-by-hop fields in any case; keeps only a decimal Content-Length", () => {
    const head = checkResponseHead(200, "", [
      "Transfer-Encoding",
      "chunked",
      "CONNECTION",
      "close",
      "Content-Length",
      "5, 7",
      "x-ok",
      "1",
    ]);
    expect(head.headers).toEqual(["x-ok", "1"]);
    expect(checkResponseHead(204, "", ["Content-LENGTH", " 12 "]).headers).toEqual(["content-length", "12"]);
  });

  it.each([
    [[200, "OK\r\nX: y", []], /reason phrase/],
    [[200, "", ["X-A", "1\r\nSet-Cookie: evil=1"]], /invalid value for header "X-A"/],
    [[200, "", ["X-A", "a\u0000b"]], /invalid value/],
    [[200, "", ["Bad Name", "1"]], /invalid header name/],
    [[200, "", ["x-€", "1"]], /invalid header name/],
    [[200, "", ["x", "\u0100"]], /invalid value/],
    [[200, "", ["x"]], /name\/value pairs/],
    [[0, "", []], /status 0/],
    [[101, "", []], /status 101/],
    [[600, "", []], /status 600/],
    [[200.5, "", []], /not an integer/],
    [["200", "", []], /not an integer/],
  ] as const)("refuses %j", (args, message) => {
    expect(() => checkResponseHead(...(args as unknown as [unknown, unknown, unknown]))).toThrow(message);
  });

  it("bounds the number and size of header fields", () => {
    const many = Array.from({ length: 1001 }, (_, i) => [`x-${i}`, "v"]).flat();
    expect(() => checkResponseHead(200, "", many)).toThrow(/more than 1000/);
    expect(() => checkResponseHead(200, "", ["x", "v".repeat(300 * 1024)])).toThrow(/larger than 256 KiB/);
  });
});
