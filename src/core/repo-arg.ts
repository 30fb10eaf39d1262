/** How commands Loom prints for a person name the repository. */

/**
 * The value of gh's `-R` for a repository `owner/name` on `host`: `host/owner/name` unless the host is github.com
 * (or unknown), because a bare `owner/name` makes gh go to github.com (or to whatever GH_HOST the reader's shell has).
 */
export function ghRepoArg(slug: string, host?: string | null): string {
  return host && host.toLowerCase() !== 'github.com' ? `${host}/${slug}` : slug;
}
