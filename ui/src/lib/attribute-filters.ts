/**
 * The trace search's attribute box: `http.response.status_code=500 db.query.text~"FROM orders"
 * user.id` is three filters (equal, contains, present), each sent as one `attr` parameter.
 * A value with spaces is quoted.
 */

/** The `attr` parameters for what the user typed. */
export function attributeParams(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/([^\s=~"]+)(?:([=~])(?:"([^"]*)"?|(\S*)))?/g)) {
    const [, key, op, quoted, bare] = m;
    out.push(op === undefined ? key : `${key}${op}${quoted ?? bare ?? ''}`);
  }
  return out;
}
