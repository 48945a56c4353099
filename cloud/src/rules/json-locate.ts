/**
 * Finds where a path (["rules", 3, "raise", "forS"]) sits in JSON text, so an invalid rules
 * file can be refused with the line an operator has to edit. A small scanner rather than a
 * JSON parser with positions: the text has already been parsed by JSON.parse, so it is valid
 * JSON and the scanner only has to skip values correctly.
 *
 * Returns the line (1-based) of the deepest part of the path that exists: for a missing
 * field that is the object that lacks it.
 */
export function locateJsonPath(text: string, path: readonly PropertyKey[]): number | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i] ?? '')) i++;
  };
  const skipString = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
  };
  const readString = (): string => {
    const start = i;
    skipString();
    return JSON.parse(text.slice(start, i)) as string;
  };
  const skipValue = () => {
    ws();
    const c = text[i];
    if (c === '"') return skipString();
    if (c === '{' || c === '[') {
      let depth = 0;
      while (i < text.length) {
        const d = text[i];
        if (d === '"') {
          skipString();
          continue;
        }
        if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') depth--;
        i++;
        if (depth === 0) return;
      }
      return;
    }
    while (i < text.length && !',}] \t\r\n'.includes(text[i] ?? '')) i++; // number, true, false, null
  };
  /** Moves `i` to the value at key/index `step` inside the container at `i`; false if absent. */
  const enter = (step: PropertyKey): boolean => {
    ws();
    const open = text[i];
    if (open !== '{' && open !== '[') return false;
    i++;
    for (let n = 0; ; n++) {
      ws();
      if (text[i] === '}' || text[i] === ']') return false;
      if (open === '{') {
        const key = readString();
        ws();
        i++; // colon
        ws();
        if (key === String(step)) return true;
      } else if (n === Number(step)) {
        ws();
        return true;
      }
      skipValue();
      ws();
      if (text[i] === ',') i++;
    }
  };
  const lineAt = (pos: number) => text.slice(0, pos).split('\n').length;

  ws();
  let found = i;
  for (const step of path) {
    const save = i;
    if (!enter(step)) {
      i = save;
      break;
    }
    found = i;
  }
  return found < text.length ? lineAt(found) : null;
}
