// Stamped by scripts/build.mjs through esbuild's `define`; a dev run (tsx) shows the fallbacks.
declare const __HARBOR_VERSION__: string | undefined;
declare const __HARBOR_COMMIT__: string | undefined;

export const VERSION: string = typeof __HARBOR_VERSION__ === 'string' ? __HARBOR_VERSION__ : '0.0.0-dev';
export const COMMIT: string = typeof __HARBOR_COMMIT__ === 'string' ? __HARBOR_COMMIT__ : 'unknown';
