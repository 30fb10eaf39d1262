/**
 * Hostile text shared by the reliability suite and the dashboard tests (no vitest import: the screenshot
 * script loads it too).
 */

/** `seed` repeated to 100 KB. */
export const big = (seed: string) => seed.repeat(Math.ceil(100_000 / seed.length)).slice(0, 100_000);

/**
 * Hostile GitHub text (reliability scenario 6): shell metacharacters and `$(…)` that would touch files named
 * `<pwned>-a…d` if ever executed, newlines and NUL, ANSI/OSC escapes, bidi controls, and a 100 KB string.
 */
export function hostileStrings(pwned: string): string[] {
  return [
    `$(touch ${pwned}-a) \`touch ${pwned}-b\`; touch ${pwned}-c | sh && rm -rf ~`,
    'line one\nline two\r\nthree\u0000four',
    '\u001b[31mred\u001b[0m \u001b]8;;http://evil.example\u0007link\u001b]8;;\u0007 \u001b]0;title\u001b\\ \u001b[2J\u001b[H clear',
    'bidi \u202eevil\u202c \u2066iso\u2069 \u200fmark and bell \u0007 and DEL \u007f and C1 \u009b31m',
    big(`$(touch ${pwned}-d)\u001b[2J\u202e`),
  ];
}
