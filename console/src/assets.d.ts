/** Vite's `?url` imports (a bundled file's address), as vite/client declares them. */
declare module '*?url' {
  const url: string;
  export default url;
}
