/**
 * The address policy's IPv6 forms of IPv4 addresses (6to4, NAT64, IPv4-translated, Teredo, ISATAP)
 * and the server's own interface addresses. Nothing is contacted: only addresses are judged.
 */
import { describe, expect, it } from "vitest";
import { AddressPolicy, embeddedIPv4, interfaceAddresses } from "./outbound-policy.js";

/** A policy whose machine has these interface addresses (a public IPv4 and IPv6 among them). */
const SELF = ["127.0.0.1", "::1", "10.0.0.9", "203.0.113.7", "2a01:4f8:1:2::7", "fe80::1234%eth0"];
const strict = new AddressPolicy({ allowPrivate: false }, { interfaces: () => SELF });

describe("IPv6 forms of an IPv4 address", () => {
  it.each([
    ["::ffff:127.0.0.1", ["127.0.0.1"]],
    ["::ffff:0:127.0.0.1", ["127.0.0.1"]],
    ["::ffff:0:a9fe:a9fe", ["169.254.169.254"]],
    ["64:ff9b::10.0.0.1", ["10.0.0.1"]],
    ["64:ff9b::7f00:1", ["127.0.0.1"]],
    ["2002:7f00:1::", ["127.0.0.1"]],
    ["2002:a9fe:a9fe:1:2:3:4:5", ["169.254.169.254"]],
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", ["65.54.227.120", "127.0.0.1"]],
    ["2001:db8::5efe:c0a8:101", ["192.168.1.1"]],
    ["fe80::200:5efe:10.1.2.3", ["10.1.2.3"]],
    ["2606:4700:4700::1111", []],
  ])("%s carries %j", (address, v4) => {
    expect(embeddedIPv4(address)).toEqual(expect.arrayContaining(v4));
    if (v4.length === 0) expect(embeddedIPv4(address)).toEqual([]);
  });

  it.each([
    // 6to4 (2002::/16, the IPv4 address in bits 16–48)
    ["2002:7f00:1::", false],
    ["2002:7f00:0001:0:0:0:0:1", false],
    ["2002:a00:1::1", false],
    ["2002:a9fe:a9fe::", false],
    ["2002:c0a8:101::1", false],
    ["2002:6440:1::", false],
    ["2002:808:808::1", true],
    // NAT64, the well-known prefix (64:ff9b::/96) and the local-use one (64:ff9b:1::/48)
    ["64:ff9b::127.0.0.1", false],
    ["64:ff9b::7f00:1", false],
    ["64:ff9b::a9fe:a9fe", false],
    ["64:ff9b::c0a8:1", false],
    ["64:ff9b::8.8.8.8", true],
    ["64:ff9b:1::8.8.8.8", false],
    ["64:ff9b:1:abcd::1", false],
    // IPv4-translated (::ffff:0:a.b.c.d) and -mapped
    ["::ffff:0:127.0.0.1", false],
    ["::ffff:0:7f00:1", false],
    ["::ffff:0:10.0.0.1", false],
    ["::ffff:0:169.254.169.254", false],
    ["::ffff:0:8.8.8.8", true],
    ["::ffff:169.254.169.254", false],
    // Teredo (2001::/32): the server IPv4 in bits 32–64, the client IPv4 inverted in the last 32 bits
    ["2001:0:4136:e378:8000:63bf:80ff:fffe", false], // client 127.0.0.1
    ["2001:0:4136:e378:8000:63bf:5601:5601", false], // client 169.254.169.254
    ["2001:0:4136:e378:8000:63bf:f5ff:fffe", false], // client 10.0.0.1
    ["2001:0:7f00:1:8000:63bf:f7f7:f7f7", false], // server 127.0.0.1
    ["2001:0:a9fe:a9fe::f7f7:f7f7", false], // server 169.254.169.254
    ["2001:0:4136:e378:8000:63bf:f7f7:f7f7", true], // server 65.54.227.120, client 8.8.8.8
    // ISATAP interface identifiers
    ["2001:db8::5efe:a00:1", false],
    ["2001:db8::200:5efe:7f00:1", false],
    ["2001:db8::5efe:808:808", true],
    // untouched: ordinary public IPv6 and IPv4
    ["2606:4700:4700::1111", true],
    ["2a00:1450:4001:80b::200e", true],
    ["8.8.8.8", true],
  ])("%s allowed: %s", (address, allowed) => {
    expect(strict.allows(address)).toBe(allowed);
  });

  it("refuses the literal host of a URL in these forms before connecting", () => {
    for (const url of [
      "http://[2002:7f00:1::]/",
      "http://[64:ff9b::7f00:1]/",
      "http://[64:ff9b::169.254.169.254]/latest/meta-data",
      "http://[::ffff:0:7f00:1]/",
      "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
    ]) {
      expect(() => strict.check(new URL(url)), url).toThrow(/refused: private\/loopback addresses are not allowed/);
    }
  });
});

describe("the server's own addresses", () => {
  it.each([
    ["203.0.113.7", false],
    ["::ffff:203.0.113.7", false],
    ["2002:cb00:7107::1", false],
    ["64:ff9b::203.0.113.7", false],
    ["2a01:4f8:1:2::7", false],
    ["2a01:4f8:1:2::8", true],
    ["203.0.113.8", true],
  ])("%s allowed: %s", (address, allowed) => {
    expect(strict.allows(address)).toBe(allowed);
  });

  it("are allowed with allowPrivate, or when the policy lists them", () => {
    expect(new AddressPolicy({ allowPrivate: true }, { interfaces: () => SELF }).allows("203.0.113.7")).toBe(true);
    const listed = new AddressPolicy(
      { allowPrivate: false, allowAddresses: ["203.0.113.7"] },
      { interfaces: () => SELF },
    );
    expect(listed.allows("203.0.113.7")).toBe(true);
    expect(listed.allows("2a01:4f8:1:2::7")).toBe(false);
  });

  it("come from os.networkInterfaces() by default, every one of them refused", () => {
    const mine = interfaceAddresses();
    expect(mine).toContain("127.0.0.1");
    const policy = new AddressPolicy({ allowPrivate: false });
    for (const address of mine) expect(policy.allows(address.split("%")[0] as string), address).toBe(false);
  });
});
