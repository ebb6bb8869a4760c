/*
 * A small XML pretty-printer for showing DUIS documents. Pure string in, string out (the page puts the result in
 * a <pre> as text, never as HTML). It never throws: malformed input comes back indented as far as it could be read.
 * Element text is kept on its tag's line (`<a>text</a>`); whitespace-only text between tags is dropped.
 */

type Token =
  | { kind: 'open'; text: string; name: string }
  | { kind: 'close'; text: string; name: string }
  | { kind: 'empty' | 'other'; text: string }
  | { kind: 'text'; text: string };

const INDENT = '  ';

export function prettyXml(xml: string): string {
  const tokens = tokenize(xml);
  const lines: string[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const pad = INDENT.repeat(Math.max(depth, 0));
    if (t.kind === 'open') {
      const next = tokens[i + 1];
      const after = tokens[i + 2];
      // <a>text</a> and <a></a> stay on one line.
      if (next?.kind === 'text' && after?.kind === 'close' && after.name === t.name) {
        lines.push(pad + t.text + next.text.trim() + after.text);
        i += 2;
      } else if (next?.kind === 'close' && next.name === t.name) {
        lines.push(pad + t.text + next.text);
        i += 1;
      } else {
        lines.push(pad + t.text);
        depth++;
      }
    } else if (t.kind === 'close') {
      depth = Math.max(depth - 1, 0);
      lines.push(INDENT.repeat(depth) + t.text);
    } else if (t.kind === 'text') {
      const text = t.text.trim();
      if (text) lines.push(pad + text);
    } else {
      lines.push(pad + t.text);
    }
  }
  return lines.join('\n');
}

function tokenize(xml: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < xml.length) {
    if (xml[i] !== '<') {
      const end = xml.indexOf('<', i);
      const stop = end === -1 ? xml.length : end;
      tokens.push({ kind: 'text', text: xml.slice(i, stop) });
      i = stop;
      continue;
    }
    const special = ([['<!--', '-->'], ['<![CDATA[', ']]>'], ['<?', '?>'], ['<!', '>']] as const).find(([open]) => xml.startsWith(open, i));
    if (special) {
      const end = xml.indexOf(special[1], i + special[0].length);
      const stop = end === -1 ? xml.length : end + special[1].length;
      const text = xml.slice(i, stop);
      // CDATA is element content: keep it inline like text.
      tokens.push(special[0] === '<![CDATA[' ? { kind: 'text', text } : { kind: 'other', text });
      i = stop;
      continue;
    }
    // A tag: scan to the '>' that is not inside a quoted attribute value.
    let j = i + 1;
    let quote: string | null = null;
    while (j < xml.length && (quote !== null || xml[j] !== '>')) {
      const c = xml[j]!;
      if (quote !== null) {
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      j++;
    }
    const text = xml.slice(i, Math.min(j + 1, xml.length));
    i = j + 1;
    const name = /^<\/?\s*([^\s/>]+)/.exec(text)?.[1] ?? '';
    if (text.startsWith('</')) tokens.push({ kind: 'close', text, name });
    else if (text.endsWith('/>')) tokens.push({ kind: 'empty', text });
    else tokens.push({ kind: 'open', text, name });
  }
  return tokens;
}
