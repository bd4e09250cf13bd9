// kubectl's duration syntax, for --request-timeout and --ttl.
/** Parse kubectl's --request-timeout: "0", a bare number of seconds, or a duration such as 1m30s or 500ms. */
export function parseDuration(value: string): number | undefined {
  const s = value.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
    matched = re.lastIndex;
  }
  return matched === s.length && s.length > 0 ? Math.round(total) : undefined;
}
