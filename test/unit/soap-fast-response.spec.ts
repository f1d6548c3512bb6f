import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClientAsync } from 'soap';
import { SoapResponseReader } from '../../src/adapters/soap/soap-response-reader';
import { readStrictXml } from '../../src/adapters/soap/strict-xml-reader';
import { CONFIG_DIR } from '../fixtures/soap/soap-test-kit';

const ENV11 = 'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"';
const ENV12 = 'xmlns:soap="http://www.w3.org/2003/05/soap-envelope"';
const PROLOG = '<?xml version="1.0" encoding="utf-8"?>';
const NS = 'xmlns="urn:hrss:unemployment:v1"';

const envelope = (body: string, header = '', env = ENV11) =>
  `${PROLOG}<soap:Envelope ${env}>${header}<soap:Body>${body}</soap:Body></soap:Envelope>`;
const receipt = (inner: string) =>
  envelope(`<SubmitUnemploymentRegistrationResponse ${NS}>${inner}</SubmitUnemploymentRegistrationResponse>`);

/** Responses the fast reader must read exactly like node-soap. */
const READ_FAST: Record<string, string> = {
  receipt: receipt(
    '<resultCode>0000</resultCode><resultMessage>张三的失业登记已受理</resultMessage><businessNo>SY1</businessNo>',
  ),
  'receipt with the simulator’s WS-Security Timestamp header': envelope(
    `<SubmitUnemploymentRegistrationResponse ${NS}><resultCode>0000</resultCode></SubmitUnemploymentRegistrationResponse>`,
    '<soap:Header><o:Security soap:mustUnderstand="1" xmlns:o="urn:o" xmlns:u="urn:u">  <u:Timestamp u:Id="_0"> <u:Created>2026-11-22T07:43:56Z</u:Created> </u:Timestamp></o:Security>\n</soap:Header>',
  ),
  'entities, character references, spaces to trim, astral characters': receipt(
    '<resultCode> 0000 </resultCode><resultMessage>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#x4E2D;&#20013; &#x20;𠮷&#10;</resultMessage>',
  ),
  'prefixed elements, single quotes, spaces in tags': envelope(
    `<tns:SubmitUnemploymentRegistrationResponse xmlns:tns='urn:hrss:unemployment:v1' ><tns:resultCode>0001</tns:resultCode ><tns:businessNo\n>SY2</tns:businessNo></tns:SubmitUnemploymentRegistrationResponse>`,
  ),
  'empty elements the schema does not call strings': receipt(
    '<resultCode>0</resultCode><unknown/><other></other>',
  ),
  'repeated elements and attributes': receipt(
    '<resultCode>0000</resultCode><item lang="zh">a</item><item>b</item><item lang="en"/><group a="1"><x>1</x></group>',
  ),
  'SOAP 1.1 fault': envelope(
    '<soap:Fault><faultcode>soap:Client.ValidationFailed</faultcode><faultstring>applicant/xm: 不能为空</faultstring></soap:Fault>',
  ),
  'SOAP 1.1 fault with detail': envelope(
    '<soap:Fault><faultcode>soap:Server.Busy</faultcode><faultstring>busy</faultstring><detail><code>B1</code></detail></soap:Fault>',
  ),
  'SOAP 1.2 fault with subcode': envelope(
    '<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value><soap:Subcode><soap:Value>tns:NotFound</soap:Value></soap:Subcode></soap:Code><soap:Reason><soap:Text xml:lang="zh">未找到</soap:Text></soap:Reason></soap:Fault>',
    '',
    ENV12,
  ),
};

/** Responses it must leave to node-soap (answer undefined). */
const LEFT_TO_NODE_SOAP: Record<string, string> = {
  CDATA: receipt('<resultCode><![CDATA[0000]]></resultCode>'),
  comment: receipt('<resultCode>00<!-- x -->00</resultCode>'),
  'processing instruction': receipt('<?pi x?><resultCode>0000</resultCode>'),
  'mixed content': receipt('text<resultCode>0000</resultCode>'),
  'xsi:nil': receipt('<resultCode xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>'),
  'xsi:type': receipt(
    '<resultCode xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xsd:string">0</resultCode>',
  ),
  'multiRef href': receipt('<resultCode href="#id0"/>'),
  'unknown entity': receipt('<resultCode>&nbsp;0000</resultCode>'),
  'upper-case entity': receipt('<resultCode>&AMP;</resultCode>'),
  'reference with leading zeros': receipt('<resultCode>&#x04E2D;</resultCode>'),
  'reference to a non-character': receipt('<resultCode>&#0;</resultCode>'),
  'reference in an attribute': receipt('<resultCode a="&amp;">0</resultCode>'),
  'mismatched tags': receipt('<resultCode>0000</resultMessage>'),
  'unclosed element': `${PROLOG}<soap:Envelope ${ENV11}><soap:Body><SubmitUnemploymentRegistrationResponse>`,
  'truncated document': receipt('<resultCode>0000</resultCode>').slice(0, -10),
  'text after the root': `${receipt('<resultCode>0000</resultCode>')}junk`,
  'second root': `${receipt('<resultCode>0000</resultCode>')}<again/>`,
  'duplicate attribute': receipt('<resultCode a="1" a="2">0</resultCode>'),
  'unquoted attribute': receipt('<resultCode a=1>0</resultCode>'),
  'element named like a prototype key': receipt('<constructor>0</constructor>'),
  'control character': receipt('<resultCode>0\u0001</resultCode>'),
  'no Body': `${PROLOG}<soap:Envelope ${ENV11}><soap:Header/></soap:Envelope>`,
  'empty Fault': envelope('<soap:Fault/>'),
  // node-soap turns empty xsd:string elements into '' (from the schema), the reader into null.
  'empty string elements': receipt('<resultCode>0001</resultCode><resultMessage/><businessNo></businessNo>'),
  'other response element (RPC-style name)': envelope(
    `<SubmitUnemploymentRegistration ${NS}><resultCode>0</resultCode></SubmitUnemploymentRegistration>`,
  ),
  'not an envelope': `${PROLOG}<html><body>502</body></html>`,
};

type Client = Awaited<ReturnType<typeof createClientAsync>>;

/** node-soap's answer, as the adapter receives it: the result element, or the thrown fault's root. */
function nodeSoapAnswer(client: Client, xml: string): unknown {
  try {
    const envelopeObject = client.wsdl.xmlToObject(xml) as { Body: Record<string, unknown> };
    return { ok: true, result: envelopeObject.Body.SubmitUnemploymentRegistrationResponse };
  } catch (error) {
    return { ok: false, root: (error as { root?: unknown }).root };
  }
}

describe('SOAP fast path: responses read like node-soap', () => {
  let client: Client;
  let reader: SoapResponseReader;

  beforeAll(async () => {
    client = await createClientAsync(join(CONFIG_DIR, 'wsdl/hrss/UnemploymentService.wsdl'));
    reader = new SoapResponseReader('SubmitUnemploymentRegistrationResponse', (xml) =>
      client.wsdl.xmlToObject(xml),
    );
  });

  it.each(Object.keys(READ_FAST))('%s', (name) => {
    const xml = READ_FAST[name];
    for (let round = 0; round < 2; round++) {
      // First round checks the shape against node-soap, the second trusts it.
      const answer = reader.read(xml);
      expect(answer).toBeDefined();
      const mine = answer!.ok ? answer : { ok: false, root: (answer!.error as { root?: unknown }).root };
      expect(mine).toEqual(nodeSoapAnswer(client, xml));
      if (!answer!.ok) expect(answer!.error).toBeInstanceOf(Error);
    }
  });

  it.each(Object.keys(LEFT_TO_NODE_SOAP))('leaves to node-soap: %s', (name) => {
    expect(reader.read(LEFT_TO_NODE_SOAP[name])).toBeUndefined();
  });

  it('leaves to node-soap responses over 64 KiB', () => {
    const big = receipt(`<resultCode>0000</resultCode><resultMessage>${'x'.repeat(70_000)}</resultMessage>`);
    expect(readStrictXml(big)).toBeDefined();
    expect(reader.read(big)).toBeUndefined();
  });

  it('keeps a shape node-soap reads differently with node-soap (typed and schema-array elements)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-soap-typed-'));
    const wsdl = join(dir, 'Typed.wsdl');
    writeFileSync(
      wsdl,
      `<?xml version="1.0"?>
<definitions name="Typed" targetNamespace="urn:typed" xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:typed"
  xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <types><xsd:schema targetNamespace="urn:typed" elementFormDefault="qualified">
    <xsd:element name="Ask"><xsd:complexType><xsd:sequence><xsd:element name="id" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element>
    <xsd:element name="AskResponse"><xsd:complexType><xsd:sequence>
      <xsd:element name="count" type="xsd:int"/>
      <xsd:element name="tag" type="xsd:string" maxOccurs="unbounded"/>
    </xsd:sequence></xsd:complexType></xsd:element>
  </xsd:schema></types>
  <message name="AskRequest"><part name="parameters" element="tns:Ask"/></message>
  <message name="AskResponse"><part name="parameters" element="tns:AskResponse"/></message>
  <portType name="P"><operation name="Ask"><input message="tns:AskRequest"/><output message="tns:AskResponse"/></operation></portType>
  <binding name="B" type="tns:P"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Ask"><soap:operation soapAction="urn:typed/Ask"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
  </binding>
  <service name="S"><port name="Port" binding="tns:B"><soap:address location="http://127.0.0.1:9/typed"/></port></service>
</definitions>`,
    );
    const typed = await createClientAsync(wsdl);
    const typedReader = new SoapResponseReader('AskResponse', (xml) => typed.wsdl.xmlToObject(xml));
    const xml = envelope('<AskResponse xmlns="urn:typed"><count>42</count><tag>a</tag></AskResponse>');
    // node-soap makes count a number and tag an array: the reader must not answer for it.
    expect(typed.wsdl.xmlToObject(xml)).toEqual({ Body: { AskResponse: { count: 42, tag: ['a'] } } });
    expect(typedReader.read(xml)).toBeUndefined();
    expect(typedReader.read(xml)).toBeUndefined();
  });
});
