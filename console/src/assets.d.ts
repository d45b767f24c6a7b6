/** Vite's `?url` imports (a bundled file's address), as vite/client declares them. */
declare module '*?url' {
  const url: string;
  export default url;
}
/** mammoth's browser build (a bundle, no types of its own): console/src/doc-view.ts declares what it uses. */
declare module 'mammoth/mammoth.browser.js';
