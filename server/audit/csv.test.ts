import { expect, test } from "vitest";
import { csvField, csvLine } from "./csv";

test("plain values pass through unchanged", () => {
  expect(csvField("role.created")).toBe("role.created");
  expect(csvField("Zoë Ångström")).toBe("Zoë Ångström");
  expect(csvField("2026-01-01T00:00:00.000Z")).toBe("2026-01-01T00:00:00.000Z");
});

test("null, undefined and empty values are empty fields", () => {
  expect(csvField(null)).toBe("");
  expect(csvField(undefined)).toBe("");
  expect(csvField("")).toBe("");
});

test("fields with commas, quotes or line breaks are quoted, with quotes doubled (RFC 4180)", () => {
  expect(csvField("a,b")).toBe('"a,b"');
  expect(csvField('say "hi"')).toBe('"say ""hi"""');
  expect(csvField("line one\nline two")).toBe('"line one\nline two"');
  expect(csvField("carriage\rreturn")).toBe('"carriage\rreturn"');
  expect(csvField('{"a":1,"b":"x"}')).toBe('"{""a"":1,""b"":""x""}"');
});

test("values a spreadsheet would run as a formula get a leading apostrophe", () => {
  expect(csvField("=1+2")).toBe("'=1+2");
  expect(csvField("+SUM(A1)")).toBe("'+SUM(A1)");
  expect(csvField("-2+3")).toBe("'-2+3");
  expect(csvField("@cmd")).toBe("'@cmd");
  expect(csvField("\tindented")).toBe("'\tindented");
  expect(csvField("\r=1")).toBe("\"'\r=1\"");
  expect(csvField('=HYPERLINK("http://evil.example","click")')).toBe('"\'=HYPERLINK(""http://evil.example"",""click"")"');
  expect(csvField("a=b")).toBe("a=b");
});

test("a line joins its fields with commas and ends in CRLF", () => {
  expect(csvLine(["a", null, "b,c", "=x"])).toBe('a,,"b,c",\'=x\r\n');
  expect(csvLine([])).toBe("\r\n");
});
