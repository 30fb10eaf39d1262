/**
 * Text from GitHub (titles, label names, branch names) is hostile until proven
 * otherwise: it may carry ANSI/OSC escape sequences, bidi controls or NULs that
 * would rewrite a user's terminal. Everything printed goes through `cleanText`.
 */

// C0 and C1 control characters except tab, plus DEL.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Unicode bidi overrides/isolates and zero-width marks that can reorder displayed text.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and two-byte ESC x.
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;

/** Removes escape sequences, control characters (newlines become spaces) and bidi controls. */
export function cleanText(text: string, maxLength = 200): string {
  const cleaned = text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(CONTROL, '')
    .replace(BIDI, '')
    .trim();
  return cleaned.length > maxLength ? `${cleaned.slice(0, maxLength - 1)}…` : cleaned;
}

/** Replaces anything that looks like a GitHub token, or the given secret values, with `***`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(/\b(gh[pousr]_[A-Za-z0-9_]{8,}|github_pat_[A-Za-z0-9_]{8,})\b/g, '***');
  out = out.replace(/(authorization:\s*)(token|bearer)?\s*\S+/gi, '$1***');
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/** The token values gh may use, from the environment (redacted wherever Loom writes text). */
export function envSecrets(env: NodeJS.ProcessEnv): string[] {
  return ['GH_TOKEN', 'GITHUB_TOKEN', 'GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN'].flatMap((name) =>
    env[name] ? [env[name]!] : [],
  );
}
