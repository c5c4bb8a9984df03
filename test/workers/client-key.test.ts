import { describe, expect, it } from "vitest";
import { clientKey } from "../../worker/client-key";

const keyOf = (address: string) =>
  clientKey(new Request("https://natter.test/", { headers: { "CF-Connecting-IP": address } }));

describe("the per-client rate-limit key", () => {
  it("keys IPv6 clients on their /64, however the address is written", async () => {
    const one = await keyOf("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
    expect(await keyOf("2001:db8:1:2::1")).toBe(one);
    expect(await keyOf("2001:0DB8:0001:0002:ffff::")).toBe(one);
    expect(await keyOf("2001:db8:1:3::1")).not.toBe(one);
    expect(await keyOf("2001:db8::1")).toBe(await keyOf("2001:db8:0:0:1:2:3:4"));
    expect(await keyOf("::1")).toBe(await keyOf("0:0:0:0:ffff::1"));
  });

  it("keys IPv4 clients on the whole address, written plainly or IPv4-mapped", async () => {
    expect(await keyOf("203.0.113.9")).not.toBe(await keyOf("203.0.113.10"));
    expect(await keyOf("::ffff:203.0.113.9")).toBe(await keyOf("203.0.113.9"));
  });

  it("never puts the address itself in the key", async () => {
    const key = await keyOf("2001:db8:1:2::1");
    expect(key).toMatch(/^[0-9a-f]{24}$/);
    expect(key).not.toContain("2001");
  });
});
