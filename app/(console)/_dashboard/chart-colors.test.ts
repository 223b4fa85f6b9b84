import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";

/**
 * axe reads the contrast of text, not of SVG fills, so the dashboard charts' colours are checked
 * here: every --chart-* token is resolved in both themes from the stylesheet itself (Tailwind's
 * defaults, our @theme, :root and .dark) and measured against the card it is drawn on, by WCAG 2's
 * contrast ratio.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
const CHART_FILES = ["app/(console)/_dashboard/activity-chart.tsx", "app/(console)/_dashboard/dashboard.tsx"];

type Tokens = Map<string, string>;

/** The custom properties declared in the blocks whose selector matches, in order (later wins). */
function declarations(css: string, selector: RegExp): Tokens {
  const tokens: Tokens = new Map();
  const blocks = /([^{}]+)\{([^{}]*)\}/g;
  for (const [, head, body] of css.replace(/\/\*[\s\S]*?\*\//g, "").matchAll(blocks)) {
    if (!selector.test(head!.trim())) continue;
    for (const [, name, value] of body!.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)) tokens.set(name!, value!.trim());
  }
  return tokens;
}

function themes(): Record<"light" | "dark", Tokens> {
  const tailwind = read("node_modules/tailwindcss/theme.css");
  const ours = read("app/globals.css");
  // Tailwind's theme nests @keyframes in its @theme block, so its colours are read as plain declarations.
  const defaults: Tokens = new Map([...tailwind.matchAll(/(--color-[\w-]+)\s*:\s*([^;]+);/g)].map(([, name, value]) => [name!, value!.trim()]));
  const light = new Map([...defaults, ...declarations(ours, /^@theme$/), ...declarations(ours, /^:root$/)]);
  const dark = new Map([...light, ...declarations(ours, /^\.dark$/)]);
  return { light, dark };
}

function resolve(tokens: Tokens, value: string, seen: string[] = []): string {
  return value.replace(/var\((--[\w-]+)\)/g, (_, name: string) => {
    const next = tokens.get(name);
    if (next === undefined || seen.includes(name)) throw new Error(`${name} is not defined (or refers to itself)`);
    return resolve(tokens, next, [...seen, name]);
  });
}

/** Linear sRGB channels, clipped to the gamut as a screen shows them. */
function linearRgb(color: string): [number, number, number] {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (hex) {
    const digits = hex[1]!.length === 3 ? [...hex[1]!].map((digit) => digit + digit) : hex[1]!.match(/../g)!;
    return digits.map((pair) => {
      const channel = parseInt(pair, 16) / 255;
      return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
  }
  const oklch = /^oklch\(\s*([\d.]+)(%?)\s+([\d.]+)\s+([\d.]+)\s*\)$/.exec(color);
  if (!oklch) throw new Error(`cannot read the colour ${color}`);
  const lightness = Number(oklch[1]) / (oklch[2] ? 100 : 1);
  const chroma = Number(oklch[3]);
  const hue = (Number(oklch[4]) * Math.PI) / 180;
  const [a, b] = [chroma * Math.cos(hue), chroma * Math.sin(hue)];
  const l = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (lightness - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const clip = (channel: number) => Math.min(1, Math.max(0, channel));
  return [
    clip(4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s),
    clip(-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s),
    clip(-0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s),
  ];
}

const luminance = (color: string) => {
  const [r, g, b] = linearRgb(color);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

export function contrast(one: string, other: string): number {
  const [lighter, darker] = [luminance(one), luminance(other)].sort((x, y) => y - x) as [number, number];
  return (lighter + 0.05) / (darker + 0.05);
}

/** Lines that only structure the drawing (grid, axis lines, the parting outline) carry no information of their own. */
const DECORATIVE = new Set(["--chart-surface", "--chart-grid", "--chart-border"]);

describe("the dashboard charts' colours", () => {
  const used = [...new Set(CHART_FILES.flatMap((file) => [...read(file).matchAll(/var\((--chart-[\w-]+)\)/g)].map((match) => match[1]!)))];

  test("come only from the --chart-* tokens, so this test sees every one", () => {
    for (const file of CHART_FILES) {
      expect(read(file), file).not.toMatch(/["'](#[0-9a-f]{3,8}|rgba?\(|hsla?\(|oklch\()/i);
    }
    expect(used).toEqual(expect.arrayContaining(["--chart-text", "--chart-surface", "--chart-sign-ins", "--chart-mcp-failures"]));
  });

  test("meet 4.5:1 against the card in both themes: axis text, and each series, which is legend and tooltip text too", () => {
    const failures: string[] = [];
    for (const [theme, tokens] of Object.entries(themes())) {
      const card = resolve(tokens, "var(--color-white)");
      expect(resolve(tokens, "var(--chart-surface)"), `${theme}: the chart is drawn on the card`).toBe(card);
      for (const token of used.filter((name) => !DECORATIVE.has(name))) {
        const ratio = contrast(resolve(tokens, `var(${token})`), card);
        if (ratio < 4.5) failures.push(`${theme}: ${token} is ${ratio.toFixed(2)}:1 on the card`);
      }
    }
    expect(failures).toEqual([]);
  });

  test("the measure itself: black on white is 21:1, Tailwind's amber-600 on white is 3.19:1, an oklch white equals #fff", () => {
    expect(contrast("#000", "#fff")).toBeCloseTo(21, 5);
    expect(contrast("#d97706", "#ffffff")).toBeCloseTo(3.19, 2);
    expect(contrast("oklch(1 0 0)", "#fff")).toBeCloseTo(1, 3);
  });
});
