import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { prettyXml } from '../../web/src/xml-pretty.js';

describe('prettyXml', () => {
  it('indents nested elements and keeps text on its tag line', () => {
    const xml = '<?xml version="1.0"?><a x="1"><b>text</b><c><d/><e></e></c></a>';
    assert.equal(prettyXml(xml), ['<?xml version="1.0"?>', '<a x="1">', '  <b>text</b>', '  <c>', '    <d/>', '    <e></e>', '  </c>', '</a>'].join('\n'));
  });

  it('re-indents already indented input the same way (idempotent)', () => {
    const once = prettyXml('<a>\n\t<b>1</b>\n      <c>2</c>\n</a>');
    assert.equal(once, '<a>\n  <b>1</b>\n  <c>2</c>\n</a>');
    assert.equal(prettyXml(once), once);
  });

  it('keeps comments, CDATA, namespaces and quoted ">" in attributes intact', () => {
    const xml = '<sr:Request xmlns:sr="urn:x"><!-- a > b --><sr:V a="x>y" b=\'1\'><![CDATA[<not a tag>]]></sr:V></sr:Request>';
    assert.equal(prettyXml(xml), ['<sr:Request xmlns:sr="urn:x">', '  <!-- a > b -->', '  <sr:V a="x>y" b=\'1\'><![CDATA[<not a tag>]]></sr:V>', '</sr:Request>'].join('\n'));
  });

  it('keeps every non-whitespace character of a real DUIS document, in order', () => {
    const xml = readFileSync('node_modules/@smartdcc/duis-templates/templates/ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML', 'utf8');
    const pretty = prettyXml(xml);
    const squash = (s: string) => s.replace(/>\s+</g, '><').replace(/\s+/g, ' ').trim();
    assert.equal(squash(pretty), squash(xml));
    assert.ok(pretty.split('\n').length > 5);
    assert.match(pretty, /\n {2}<sr:Header>/);
  });

  it('never throws on malformed input', () => {
    for (const junk of ['', 'plain text', '<', '<a', '<a><b></a>', '</x></y>', '<a b="unclosed>', '<!--', '<![CDATA[x', '<?x']) {
      assert.equal(typeof prettyXml(junk), 'string', junk);
    }
    assert.equal(prettyXml('</x></y><z>1</z>'), '</x>\n</y>\n<z>1</z>');
  });
});
