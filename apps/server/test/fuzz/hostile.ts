import fc from "fast-check";

/**
 * JSON text spliced verbatim into a generated body: what JSON.stringify cannot produce (1e400,
 * integers past 2^64, 10,000-deep nesting, a `__proto__` key) but a hostile client can send.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

export const DEEP = 10_000;

export const deepArray = new RawJson(`${"[".repeat(DEEP)}${"]".repeat(DEEP)}`);
export const deepObject = new RawJson(`${'{"a":'.repeat(DEEP)}1${"}".repeat(DEEP)}`);

const LONG = 100_000;

/** Strings that broke servers before: NUL, lone surrogates, huge, numeric-looking, traversal. */
export const hostileStrings: readonly string[] = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\ud83d",
  "a".repeat(LONG),
  "é".repeat(LONG / 2),
  "😀".repeat(LONG / 4),
  "\u0000".repeat(1000),
  "NaN",
  "Infinity",
  "-Infinity",
  "1e308",
  "-1e308",
  "1e400",
  "-0",
  "0x1F",
  "9007199254740993",
  "-9007199254740993",
  "99999999999999999999999999999",
  "0.0000000000000000000001",
  "null",
  "undefined",
  "true",
  "[]",
  "{}",
  "../../../../etc/passwd",
  "..\\..\\windows\\win.ini",
  "%00",
  "%2e%2e%2f",
  "' OR '1'='1",
  "'; --",
  "$1",
  "\\",
  '"',
  "<script>alert(1)</script>",
  "\r\nx-injected: 1",
  "\u202egnp.exe",
  "\ufeff",
  "\uffff",
  "\u{10ffff}",
  "2026-13-45T25:61:61Z",
  "0000-01-01",
  "275760-09-13T00:00:00.001Z",
  "-271821-04-19",
  "javascript:alert(1)",
  "file:///etc/passwd",
  "http://",
  "http://127.0.0.1:0/",
  "http://user:pass@127.0.0.1:1/x",
  "ftp://127.0.0.1/",
  "llmg_",
  "key_",
  "usr_\u0000",
];

export const hostileNumbers: readonly number[] = [
  0,
  -0,
  -1,
  1.5,
  -1.5,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  2 ** 53 + 1,
  -(2 ** 53 + 1),
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 63,
  1e21,
  1e-7,
  Number.MAX_SAFE_INTEGER,
];

/** Number tokens JSON.parse turns into Infinity, -Infinity, or a float that lost its digits. */
const rawNumbers: readonly RawJson[] = [
  "1e400",
  "-1e400",
  "123456789012345678901234567890",
  "-0.0",
  "1E+2",
  "0.1e-400",
].map((text) => new RawJson(text));

const otherRaw: readonly RawJson[] = [
  deepArray,
  deepObject,
  new RawJson('{"__proto__":{"admin":true,"polluted":1}}'),
  new RawJson('{"constructor":{"prototype":{"polluted":1}}}'),
  new RawJson(`[${Array.from({ length: 10_000 }, () => "0").join(",")}]`),
];

export const hostileString = fc.constantFrom(...hostileStrings);

/** Any value of any type a JSON body can carry, biased to the hostile ones. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 3, arbitrary: fc.constantFrom(...hostileNumbers) },
  { weight: 1, arbitrary: fc.constantFrom(...rawNumbers) },
  { weight: 1, arbitrary: fc.constantFrom(...otherRaw) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { a: 1 }, [1, "a", {}]) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
);

/** Ids for path parameters: traversal, NUL, encoded and raw percent signs, very long, unicode. */
export const hostileIds: readonly string[] = [
  "..",
  ".",
  "../../etc/passwd",
  "..%2f..%2fetc",
  "%00",
  "a\u0000",
  "\u0000",
  "%",
  "%zz",
  "\ud800",
  "😀",
  "ユーザー",
  "x".repeat(5000),
  "é".repeat(101),
  "0",
  "-1",
  "1e308",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "' OR 1=1 --",
  "usr_00000000000000000000",
  "key_00000000000000000000",
  "cred_0000000000000000000",
  "req_00000000000000000000",
  " ",
];
