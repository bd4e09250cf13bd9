// Shell scripts bundled as text (esbuild's text loader): `import script from './x.sh'`.
declare module '*.sh' {
  const text: string;
  export default text;
}
