/**
 * Which Loom this is. Both values are fixed at build time (scripts/build.mjs):
 * VERSION from package.json; BUILD, a short sha256 of the sources the bundle was
 * built from (src/, defaults/, package.json), so two bundles with the same
 * VERSION can still be told apart. (It is a content hash rather than the git
 * commit so that the committed bundle is reproducible from the committed sources.)
 */
declare const __LOOM_VERSION__: string | undefined;
declare const __LOOM_BUILD__: string | undefined;

export const VERSION = typeof __LOOM_VERSION__ !== 'undefined' ? __LOOM_VERSION__ : '0.0.0-dev';
export const BUILD = typeof __LOOM_BUILD__ !== 'undefined' ? __LOOM_BUILD__ : 'source';
